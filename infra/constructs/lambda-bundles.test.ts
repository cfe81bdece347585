import { join } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ServiceModule } from '../../src/platform/service.js';
import { donationsApi } from '../../src/services/donations/api-service.js';
import { donationsSweep } from '../../src/services/donations/thank-you-service.js';
import { greetingsService } from '../../src/services/greetings/service.js';
import { ordersApi } from '../../src/services/orders/api-service.js';
import {
  ordersDeliverBatch,
  ordersFetchResults,
  ordersSummarizeRun,
} from '../../src/services/orders/pipeline-service.js';
import { recordsApi } from '../../src/services/records/api-service.js';
import { recordsIngestion } from '../../src/services/records/ingestion-service.js';
import { recordsUploads } from '../../src/services/records/uploads-service.js';
import { usersService } from '../../src/services/users/service.js';
import {
  buildLambdaBundle,
  forbiddenContents,
  lambdaBundleViolations,
  lambdaEntries,
  lambdaEsbuildOptions,
  mapStackTrace,
  maxLambdaBundleBytes,
  packageBytes,
} from '../lambda-bundling.js';

/**
 * Every Lambda bundle, built once with the deployed options (`infra/lambda-bundling.ts`), held to
 * its budget: no more than `maxLambdaBundleBytes`, nothing of local mode or the docs, no SDK client
 * its services do not call.
 */
interface Built {
  bytes: number;
  text: string;
  metafile: Metafile;
  files: string[];
}

const built = new Map<string, Built>();
/** The service part each function runs (its entry module's `handler` is built from it). */
const parts: Record<string, Pick<ServiceModule, 'clients'>> = {
  'greetings-api': greetingsService,
  'donations-api': donationsApi,
  'donations-sweep': donationsSweep,
  'users-api': usersService,
  'orders-api': ordersApi,
  'orders-fetch-results': ordersFetchResults,
  'orders-deliver-batch': ordersDeliverBatch,
  'orders-summarize-run': ordersSummarizeRun,
  'records-api': recordsApi,
  'records-uploads': recordsUploads,
  'records-ingest': recordsIngestion,
  'records-recovery': recordsIngestion,
};

// Twelve builds, each recording its schemas in a process of its own first: about 35 s on an idle
// 2-core machine, and past a minute in a full `npm test`, whose other files take the same cores.
beforeAll(async () => {
  for (const entry of lambdaEntries) {
    const { name } = entry;
    const result = await buildLambdaBundle(entry, join('dist', 'lambda', name, 'index.js'), {
      write: false,
    });
    const [bundle] = result.outputFiles ?? [];
    if (!bundle) throw new Error(`no bundle for ${name}`);
    built.set(name, {
      bytes: bundle.contents.byteLength,
      text: bundle.text,
      metafile: result.metafile,
      files: (result.outputFiles ?? []).map((file) => file.path),
    });
  }
}, 180_000);

const bundleOf = (service: string) => built.get(service) as Built;

describe.each(lambdaEntries.map((entry) => [entry.name, entry] as const))(
  '%s Lambda bundle',
  (service, entry) => {
    it('runs a service part the test knows', () => {
      expect(parts[service]).toBeDefined();
    });

    it('holds nothing of local mode or the docs, and no SDK client its services do not call', () => {
      expect(forbiddenContents(bundleOf(service).metafile, entry.clients)).toEqual([]);
    });

    it(`weighs at most ${maxLambdaBundleBytes} bytes`, () => {
      const { bytes, metafile } = bundleOf(service);
      // The largest packages, to say where the bytes are when it fails.
      const largest = packageBytes(metafile)
        .slice(0, 10)
        .map(([name, size]) => `${name} ${size}`);
      expect(bytes, `largest: ${largest.join(', ')}`).toBeLessThanOrEqual(maxLambdaBundleBytes);
    });

    it('names the SDK clients its services name, and bundles exactly those', () => {
      expect([...entry.clients].sort()).toEqual(Object.keys(parts[service]?.clients ?? {}).sort());
      const clients = packageBytes(bundleOf(service).metafile)
        .map(([name]) => /^@aws-sdk\/client-(.+)$/.exec(name)?.[1])
        .filter((name) => name !== undefined);
      expect(clients.sort()).toEqual([...entry.clients].sort());
    });

    it('ships no source map', () => {
      const bundle = bundleOf(service);
      expect(bundle.files).toEqual([expect.stringMatching(/index\.js$/)]);
      expect(bundle.text).not.toMatch(/sourceMappingURL/);
    });
  },
);

describe('the bundle checker', () => {
  it('finds what a bundle must not hold', async () => {
    // Built with the deployed options from a deliberately bad entry.
    const result = await build({
      ...lambdaEsbuildOptions,
      stdin: {
        contents: [
          "import swagger from '@fastify/swagger';",
          "import swaggerUi from '@fastify/swagger-ui';",
          "import { StateMachine } from 'aws-local-stepfunctions';",
          "import { SQSClient } from '@aws-sdk/client-sqs';",
          "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';",
          "import { Type } from 'typebox';",
          "import { Ajv } from 'ajv';",
          'export const used = [swagger, swaggerUi, StateMachine, SQSClient, DynamoDBClient, Type.String(), Ajv];',
        ].join('\n'),
        resolveDir: process.cwd(),
        loader: 'ts',
      },
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const bytes = result.outputFiles[0]?.contents.byteLength ?? 0;
    const violations = lambdaBundleViolations({ bytes, metafile: result.metafile }, ['dynamodb']);
    expect(violations).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^@fastify\/swagger: /),
        expect.stringMatching(/^@fastify\/static: /),
        expect.stringMatching(/^aws-local-stepfunctions: /),
        expect.stringMatching(/^@aws-sdk\/client-sqs: an SDK client its services do not name/),
        expect.stringMatching(/^@aws-sdk\/client-lambda: /),
        expect.stringMatching(/^typebox's Type object/),
        expect.stringMatching(/^ajv: a schema compiler/),
      ]),
    );
    expect(violations.join('\n')).not.toMatch(/client-dynamodb/);
    // The same input, weighed against a smaller budget.
    expect(lambdaBundleViolations({ bytes, metafile: result.metafile }, ['dynamodb', 'sqs'], 1000)).toContain(
      `${bytes} bytes, over the 1000 allowed`,
    );
  }, 30_000);

  it('passes a bundle with nothing wrong', () => {
    const metafile: Metafile = {
      inputs: {},
      outputs: {
        'index.js': {
          bytes: 10,
          imports: [],
          exports: [],
          inputs: {
            'src/a.ts': { bytesInOutput: 5 },
            'node_modules/@aws-sdk/client-dynamodb/dist-es/index.js': { bytesInOutput: 5 },
          },
        },
      },
    };
    expect(lambdaBundleViolations({ bytes: 10, metafile }, ['dynamodb'])).toEqual([]);
  });
});

describe('a stack trace from a bundle', () => {
  it('maps back to the source with the map `npm run build:lambdas` keeps', async () => {
    const entry = lambdaEntries[0] as (typeof lambdaEntries)[number];
    const result = await buildLambdaBundle(entry, join('dist', 'lambda', 'mapped', 'index.js'), {
      sourcemap: true,
      write: false,
    });
    const files = result.outputFiles ?? [];
    const code = files.find((file) => file.path.endsWith('index.js'))?.text ?? '';
    const map = files.find((file) => file.path.endsWith('index.js.map'))?.text ?? '';
    // The deployed bundle, byte for byte: the map is not referenced from it.
    expect(code).toBe(bundleOf(lambdaEntries[0]?.name ?? '').text);
    const offset = code.indexOf('this runtime was given the client makers of');
    const before = code.slice(0, offset).split('\n');
    const line = before.length;
    const column = (before.at(-1)?.length ?? 0) + 1;
    const trace = `MissingClientError: …\n    at Object.get (/var/task/index.js:${line}:${column})`;
    expect(mapStackTrace(trace, JSON.parse(map))).toMatch(
      /at Object\.get \(src\/platform\/aws\/client-set\.ts:\d+:\d+\)/,
    );
  }, 30_000);
});
