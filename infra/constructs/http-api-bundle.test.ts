import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpApiHandler } from '../../src/platform/lambda.js';
import { buildApp } from '../app.js';
import { buildLambdaBundle, lambdaEntries } from '../lambda-bundling.js';

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

beforeAll(() => {
  assembly = buildApp(new App({ context: { stage: 'dev' } })).synth();
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
  for (const service of ['greetings', 'donations', 'orders', 'records']) {
    const [asset] = lambdaAssetsOf(assembly, `skiff-dev-${service}`);
    if (!asset || !existsSync(join(asset, 'index.js'))) throw new Error(`no Lambda bundle for ${service}`);
    const dir = join(taskDir, service);
    mkdirSync(dir);
    copyFileSync(join(asset, 'index.js'), join(dir, 'index.js'));
    bundles[service] = createRequire(join(dir, 'index.js'))('./index.js');
  }
}, 120_000);

afterAll(() => {
  process.env = saved;
  rmSync(taskDir, { recursive: true, force: true });
});

const call = (service: string, method: string, path: string, body?: string) =>
  (bundles[service] as { handler: HttpApiHandler }).handler(event(method, path, body) as never, {} as never);

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

describe('non-HTTP entries in the bundles', () => {
  it.each([
    ['donations', 'sweepHandler'],
    ['orders', 'fetchResultsHandler'],
    ['orders', 'deliverBatchHandler'],
    ['orders', 'summarizeRunHandler'],
    ['records', 'ingestHandler'],
    ['records', 'recoveryHandler'],
  ])('%s exports %s', (service, name) => {
    expect(typeof bundles[service]?.[name]).toBe('function');
  });
});

describe('the deployed Lambda code', () => {
  const deployed = lambdaEntries.filter((entry) => entry.deployed);

  it.each(deployed.map((entry) => [entry.service, entry] as const))(
    '%s: every function is a handler its entry lists, and each listed handler is deployed',
    (service, entry) => {
      const handlers = bundledFunctionsOf(assembly, `skiff-dev-${service}`).map((f) => f.Properties.Handler);
      expect(new Set(handlers)).toEqual(new Set(entry.handlers.map((name) => `index.${name}`)));
    },
  );

  it.each(deployed.map((entry) => [entry.service, entry] as const))(
    '%s: is the shared build of its entry, byte for byte, with no source map beside it',
    async (service, entry) => {
      const assets = new Set(lambdaAssetsOf(assembly, `skiff-dev-${service}`));
      const built = await buildLambdaBundle(entry.entry, join(taskDir, `${service}.js`), { write: false });
      const expected = Buffer.from(built.outputFiles?.[0]?.contents ?? []);
      for (const asset of assets) {
        expect(readdirSync(asset)).toEqual(['index.js']);
        expect(readFileSync(join(asset, 'index.js')).equals(expected)).toBe(true);
      }
    },
  );
});
