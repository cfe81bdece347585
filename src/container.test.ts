import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localCredentials } from './local/engines.js';
import { startTestPlatform, type TestPlatform } from './local/test-platform.js';
import { freePort, type Running, startSkiff } from './local/test-process.js';

/**
 * No Docker engine runs here, so this runs the Dockerfile's own steps: the build script it calls,
 * the production dependency set it installs, the entry point and HEALTHCHECK it runs.
 */
const dockerfile = readFileSync(new URL('../Dockerfile', import.meta.url), 'utf8');
const packageJson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

let engines: TestPlatform;
let server: Running;
let port: number;

beforeAll(async () => {
  execFileSync('npm', ['run', '--silent', 'build:server'], { stdio: 'pipe' });
  engines = await startTestPlatform({ env: { SERVICES: 'users' } });
  port = await freePort();
  server = await startSkiff('dist/server.mjs', {
    PORT: String(port),
    SERVICES: 'users',
    NODE_ENV: 'production',
    AWS_ENDPOINT_URL_DYNAMODB: engines.endpoints.dynamodb,
    AWS_ENDPOINT_URL_S3: engines.endpoints.s3,
    AWS_ACCESS_KEY_ID: localCredentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: localCredentials.secretAccessKey,
  });
}, 120_000);

afterAll(async () => {
  server?.process.kill('SIGTERM');
  await server?.exited;
  await engines?.stop();
});

describe('Dockerfile', () => {
  it('builds in stages and runs as a non-root user with a health check', () => {
    expect(dockerfile.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(3);
    expect(dockerfile).toMatch(/^RUN npm run build:server$/m);
    // The web console: built in the build stage, served from web/dist.
    expect(dockerfile).toMatch(/^RUN node web\/build\.mjs$/m);
    expect(dockerfile).toMatch(/^COPY --from=build \/app\/web\/dist \.\/web\/dist$/m);
    expect(dockerfile).toMatch(/^RUN npm install --omit=dev/m);
    expect(dockerfile).toMatch(/^USER 10001:10001$/m);
    expect(dockerfile).toMatch(/^HEALTHCHECK .*CMD \["node", "dist\/healthcheck\.mjs"\]$/m);
    expect(dockerfile).toMatch(/^CMD \["node", "--enable-source-maps", "dist\/server\.mjs"\]$/m);
  });

  it('needs at run time only production dependencies', () => {
    const bundle = readFileSync('dist/server.mjs', 'utf8');
    // esbuild writes external packages as top-level `import … from "pkg"` (or `import "pkg"`) lines.
    const imports = bundle.matchAll(/^import\s(?:[^;]*?\sfrom\s)?"([^"./][^"]*)";$/gm);
    const specifiers = [...imports].map((m) => m[1] as string);
    const packages = new Set(
      specifiers
        .filter((s) => !s.startsWith('node:') && !builtinModules.includes(s))
        .map((s) =>
          s
            .split('/')
            .slice(0, s.startsWith('@') ? 2 : 1)
            .join('/'),
        ),
    );
    expect(packages.size).toBeGreaterThan(3);
    for (const name of packages) expect(Object.keys(packageJson.dependencies), name).toContain(name);
  });
});

describe('the built server (the image entry point)', () => {
  it('serves the service named in SERVICES against the configured AWS endpoints', async () => {
    const base = `http://127.0.0.1:${port}`;
    const created = await fetch(`${base}/user`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Container', email: 'container@example.org' }),
    });
    expect(created.status).toBe(201);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    expect((await fetch(`${base}/hello/ann`)).status).toBe(404);
    expect((await fetch(`${base}/swagger/`)).status).toBe(200);
  });

  it('passes the HEALTHCHECK command', () => {
    const check = spawnSync(process.execPath, ['dist/healthcheck.mjs'], {
      env: { ...process.env, PORT: String(port) },
    });
    expect(check.status).toBe(0);
    const down = spawnSync(process.execPath, ['dist/healthcheck.mjs'], {
      env: { ...process.env, PORT: '9' },
    });
    expect(down.status).toBe(1);
  });
});
