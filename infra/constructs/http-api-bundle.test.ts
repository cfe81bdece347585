import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpApiHandler } from '../../src/platform/lambda-http.js';
import { buildApp } from '../app.js';
import { buildLambdaBundle, type LambdaEntry, lambdaEntries } from '../lambda-bundling.js';

/**
 * The Lambda code as deployed: the esbuild bundle from a real synth, loaded on its own (outside this
 * package, as in /var/task) and driven with API Gateway v2 events. Catches what the TypeScript source
 * cannot: files a dependency reads from node_modules at run time, ESM/CJS mix-ups, missing modules.
 */
const event = (method: string, path: string, body?: string) => ({
  version: '2.0',
  routeKey: '$default',
  rawPath: path,
  rawQueryString: '',
  headers: {
    host: 'abc.execute-api.eu-west-1.amazonaws.com',
    ...(body && { 'content-type': 'application/json' }),
  },
  requestContext: {
    http: { method, path, protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'test' },
    requestId: 'bundle-test',
    routeKey: '$default',
    stage: '$default',
  },
  body,
  isBase64Encoded: false,
});

const deployed = lambdaEntries.filter((entry) => entry.deployed);
/** Each deployed entry's bundle, as built by the shared build (`infra/lambda-bundling.ts`). */
const expected = new Map<string, Buffer>();
let taskDir: string;
let assembly: CloudAssembly;
const saved = { ...process.env };
const bundles: Record<string, { handler: HttpApiHandler } & Record<string, unknown>> = {};

interface LambdaResource {
  Type: string;
  Properties: { Code: { S3Key?: string }; Handler?: string };
}

/** The functions of a stack's template bundled from this repository (the CDK's own helpers carry inline code). */
function bundledFunctionsOf(assembly: CloudAssembly, stackName: string): LambdaResource[] {
  const stack = assembly.getStackByName(stackName);
  return Object.values(stack.template.Resources as Record<string, LambdaResource>).filter(
    (resource) => resource.Type === 'AWS::Lambda::Function' && resource.Properties.Code.S3Key,
  );
}

/** The directory of the Lambda code asset in a stack's template (one per entry module). */
function lambdaAssetsOf(assembly: CloudAssembly, stackName: string): string[] {
  return bundledFunctionsOf(assembly, stackName).map((resource) =>
    join(assembly.directory, `asset.${String(resource.Properties.Code.S3Key).replace(/\.zip$/, '')}`),
  );
}

/** The asset in the entry's stack whose code is, byte for byte, the shared build of the entry. */
function deployedAsset(entry: LambdaEntry): string {
  const assets = lambdaAssetsOf(assembly, `skiff-dev-${entry.service}`);
  const found = assets.find((asset) =>
    readFileSync(join(asset, 'index.js')).equals(expected.get(entry.name) as Buffer),
  );
  if (!found) throw new Error(`no function of skiff-dev-${entry.service} runs the build of ${entry.entry}`);
  return found;
}

beforeAll(async () => {
  assembly = buildApp(new App({ context: { stage: 'dev' } })).synth();
  for (const entry of deployed) {
    const built = await buildLambdaBundle(entry, join(tmpdir(), entry.name, 'index.js'), {
      write: false,
    });
    expected.set(entry.name, Buffer.from(built.outputFiles?.[0]?.contents ?? []));
  }
  taskDir = mkdtempSync(join(tmpdir(), 'skiff-task-'));
  Object.assign(process.env, {
    AWS_REGION: 'eu-west-1',
    SKIFF_STAGE: 'dev',
    LOG_LEVEL: 'silent',
    AWS_ACCESS_KEY_ID: 'unused',
    AWS_SECRET_ACCESS_KEY: 'unused',
    SKIFF_SNS_TOPIC_ARNS: [
      'arn:aws:sns:eu-west-1:123456789012:skiff-dev-donations-thank-you',
      'arn:aws:sns:eu-west-1:123456789012:skiff-dev-orders-notifications',
    ].join(','),
    SKIFF_ORDERS_STATE_MACHINE_ARN:
      'arn:aws:states:eu-west-1:123456789012:stateMachine:skiff-dev-orders-pipeline',
  });
  for (const entry of deployed) {
    const dir = join(taskDir, entry.name);
    mkdirSync(dir);
    copyFileSync(join(deployedAsset(entry), 'index.js'), join(dir, 'index.js'));
    bundles[entry.name] = createRequire(join(dir, 'index.js'))('./index.js');
  }
}, 120_000);

afterAll(() => {
  process.env = saved;
  rmSync(taskDir, { recursive: true, force: true });
});

const call = (service: string, method: string, path: string, body?: string) =>
  (bundles[`${service}-api`] as { handler: HttpApiHandler }).handler(
    event(method, path, body) as never,
    {} as never,
  );

const httpServices = [
  ['greetings', ['PUT', '/hello/al1ce', JSON.stringify({ dateOfBirth: '1990-01-01' })], 400],
  ['donations', ['POST', '/donations', JSON.stringify({ donorId: 'a b', amount: 1 })], 400],
  ['orders', ['POST', '/orders', JSON.stringify([{ record_id: '' }])], 400],
  // Records asks for the tenant's key before anything else.
  ['records', ['GET', '/records?limit=0'], 403],
] as const;

describe.each(httpServices)('%s Lambda bundle', (service, badRequest, refusal) => {
  it('boots and answers health checks', async () => {
    const response = await call(service, 'GET', '/healthz');
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(String(response.body))).toEqual({ status: 'ok' });
  });

  it('mounts only its own service, and no API docs (npm start and the container serve those)', async () => {
    for (const [other, [method, path, body]] of httpServices) {
      if (other === service) continue;
      expect((await call(service, method, path, body)).statusCode).toBe(404);
    }
    for (const docs of ['/openapi.json', '/swagger.json', '/docs/']) {
      expect((await call(service, 'GET', docs)).statusCode).toBe(404);
    }
  });

  it('refuses a bad request inside the bundle with a problem', async () => {
    const [method, path, body] = badRequest;
    const response = await call(service, method, path, body);
    expect(response.statusCode).toBe(refusal);
    expect(response.headers?.['content-type']).toMatch(/application\/problem\+json/);
  });
});

describe('the deployed Lambda code', () => {
  it.each(deployed.filter((entry) => entry.kind === 'worker').map((entry) => [entry.name]))(
    '%s: its bundle exports its handler',
    (name) => {
      expect(typeof bundles[name]?.handler).toBe('function');
    },
  );

  it.each(['greetings', 'donations', 'orders', 'records'])(
    "%s: each function runs one of the service's entries, and each entry runs in a function of its own, with no source map beside it",
    (service) => {
      const entries = deployed.filter((entry) => entry.service === service);
      const functions = bundledFunctionsOf(assembly, `skiff-dev-${service}`);
      expect(functions).toHaveLength(entries.length);
      expect(functions.map((f) => f.Properties.Handler)).toEqual(functions.map(() => 'index.handler'));
      const assets = entries.map(deployedAsset);
      expect(new Set(assets).size).toBe(entries.length);
      expect(new Set(lambdaAssetsOf(assembly, `skiff-dev-${service}`))).toEqual(new Set(assets));
      for (const asset of assets) expect(readdirSync(asset)).toEqual(['index.js']);
    },
  );
});
