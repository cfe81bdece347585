/**
 * How every skiff Lambda is bundled, in one place: the CDK stacks (through `ServiceFunction`), the
 * bundle test, `npm run build:lambdas` and benchmarks all build exactly these bundles from these
 * options, so a size measured anywhere is the size deployed.
 *
 * The asset ships no source map. Maps are build artifacts: `npm run build:lambdas` writes each bundle
 * with its map to `dist/lambda/<function>/` (`index.js` is byte-for-byte the deployed code, since the
 * map is written without a `sourceMappingURL` comment). Keep the maps of each release (e.g. upload
 * `dist/lambda/` to S3 under the release's commit), and map a stack trace from CloudWatch with
 * `npm run lambda:stack -- dist/lambda/<function>/index.js.map < trace.txt` (see `mapStackTrace`).
 */
import { readFileSync } from 'node:fs';
import { SourceMap, type SourceMapPayload } from 'node:module';
import { fileURLToPath } from 'node:url';
import { type BuildOptions, type BuildResult, build, type Metafile } from 'esbuild';
import { precompiledSchemasPlugin, recordSchemas } from './precompiled-schemas.js';

/** An SDK client a service may call (the makers in `src/platform/aws/makers/`). */
export type AwsClientName = 'dynamodb' | 's3' | 'sns' | 'sqs' | 'sfn';

export interface LambdaEntry {
  /** The function, `<service>-<part>`: its bundle's folder under `dist/lambda/`. */
  name: string;
  service: string;
  /** The entry module, from the repository's root: it exports the function's `handler`. */
  entry: string;
  /** `http`: an API behind API Gateway; `worker`: a schedule's, a queue's or a workflow's. */
  kind: 'http' | 'worker';
  /** The SDK clients of the service part it runs (`ServiceModule.clients`): the only ones its bundle may hold. */
  clients: readonly AwsClientName[];
  /** False for users, whose compute is EKS: its entry is still built and held to the same rules. */
  deployed: boolean;
}

const entry = (
  service: string,
  part: string,
  kind: LambdaEntry['kind'],
  clients: readonly AwsClientName[],
  deployed = true,
): LambdaEntry => ({
  name: `${service}-${part}`,
  service,
  entry: `src/services/${service}/lambda/${part}.ts`,
  kind,
  clients,
  deployed,
});

/**
 * Every Lambda function, one bundle each (decision 0016): an API's bundle holds no worker's code, and
 * a worker's no Fastify.
 */
export const lambdaEntries: readonly LambdaEntry[] = [
  entry('greetings', 'api', 'http', ['dynamodb']),
  entry('donations', 'api', 'http', ['dynamodb', 'sns']),
  entry('donations', 'sweep', 'worker', ['dynamodb', 'sns']),
  entry('users', 'api', 'http', ['dynamodb', 's3'], false),
  entry('orders', 'api', 'http', ['dynamodb', 'sfn']),
  entry('orders', 'fetch-results', 'worker', ['dynamodb']),
  entry('orders', 'deliver-batch', 'worker', ['dynamodb', 's3', 'sns']),
  entry('orders', 'summarize-run', 'worker', ['dynamodb']),
  entry('records', 'api', 'http', ['dynamodb']),
  entry('records', 'uploads', 'http', ['dynamodb', 's3']),
  entry('records', 'ingest', 'worker', ['dynamodb', 's3']),
  entry('records', 'recovery', 'worker', ['dynamodb', 's3']),
];

/** One function's entry, by name (`records-api`). */
export function lambdaEntry(name: string): LambdaEntry {
  const found = lambdaEntries.find((e) => e.name === name);
  if (!found) throw new Error(`no Lambda entry ${name}`);
  return found;
}

/**
 * The esbuild options of every Lambda bundle. `mainFields` puts packages' ESM builds first, so
 * esbuild can drop what is not used (the AWS SDK's unused commands, TypeBox's unused builders);
 * CommonJS output, as the `index.handler` of the nodejs24.x runtime loads it.
 */
/**
 * Left to the runtime's own copy of the SDK: the credential providers the SDK's default chain tries
 * after the environment (shared files, SSO, web identity, process, instance and container metadata)
 * and the STS/SSO clients they use. The chain loads them lazily, only when the environment holds no
 * credentials; Lambda always puts the function role's there, so they are never loaded on Lambda.
 * Everything a function does call (its clients, signing, retries) is bundled, at the version tested.
 */
export const lambdaRuntimeProvided = [
  '@aws-sdk/credential-provider-ini',
  '@aws-sdk/credential-provider-process',
  '@aws-sdk/credential-provider-sso',
  '@aws-sdk/credential-provider-web-identity',
  '@aws-sdk/credential-provider-login',
  '@aws-sdk/credential-provider-http',
  '@aws-sdk/token-providers',
  '@aws-sdk/nested-clients',
  '@smithy/credential-provider-imds',
];

export const lambdaEsbuildOptions = {
  bundle: true,
  external: lambdaRuntimeProvided,
  platform: 'node',
  format: 'cjs',
  target: 'node24',
  minify: true,
  mainFields: ['module', 'main'],
  legalComments: 'none',
  sourcemap: false,
} as const satisfies BuildOptions;

export interface LambdaBuildOptions {
  /** Also write `<outfile>.map` (not referenced from the bundle, so the bundle is the deployed one). */
  sourcemap?: boolean;
  /** Keep the bundle in memory (`outputFiles`) instead of writing it. */
  write?: boolean;
}

/** The repository's root, from which entries are named and the CDK runs esbuild. */
const repositoryRoot = fileURLToPath(new URL('..', import.meta.url));

/**
 * Builds the bundle of `entry` to `outfile` (absolute, or from the repository's root), with the
 * deployed options, its schemas precompiled (`infra/precompiled-schemas.ts`), and a metafile (what
 * went in, and its bytes in the output).
 */
export async function buildLambdaBundle(
  entry: LambdaEntry,
  outfile: string,
  { sourcemap = false, write = true }: LambdaBuildOptions = {},
): Promise<BuildResult<{ metafile: true }>> {
  const schemas = await recordSchemas(entry);
  return build({
    ...lambdaEsbuildOptions,
    absWorkingDir: repositoryRoot,
    entryPoints: [entry.entry],
    outfile,
    sourcemap: sourcemap ? 'external' : false,
    metafile: true,
    write,
    plugins: [precompiledSchemasPlugin(schemas)],
    logLevel: 'warning',
  });
}

const position = /(?<file>[^\s()]*index\.js):(?<line>\d+):(?<column>\d+)/g;

/**
 * A stack trace from a bundle, with each `index.js:line:column` replaced by the original source
 * position the bundle's map gives (`src/…/file.ts:line:column`); positions it cannot map stay.
 */
export function mapStackTrace(trace: string, map: SourceMapPayload): string {
  const sourceMap = new SourceMap(map);
  return trace.replace(position, (found, _file, line: string, column: string) => {
    const entry = sourceMap.findEntry(Number(line) - 1, Number(column) - 1);
    if (!('originalSource' in entry)) return found;
    const source = entry.originalSource.replace(/^(\.\.\/)+/, '');
    return `${source}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
  });
}

/** `mapStackTrace` with a map read from a file. */
export function mapStackTraceWith(mapFile: string, trace: string): string {
  return mapStackTrace(trace, JSON.parse(readFileSync(mapFile, 'utf8')) as SourceMapPayload);
}

/** The most a Lambda bundle may weigh: what is loaded and parsed on every cold start. */
export const maxLambdaBundleBytes = 1_000_000;

/** Packages no Lambda bundle may hold, and why: each is for local mode or the docs only. */
export const forbiddenInLambda: readonly { pattern: RegExp; reason: string }[] = [
  {
    pattern: /^@fastify\/(swagger|swagger-ui|static)$/,
    reason: 'OpenAPI docs are served by npm start and the container only',
  },
  {
    pattern: /^aws-local-stepfunctions$/,
    reason: 'the local workflow engine; Step Functions runs them on AWS',
  },
  { pattern: /^(dynalite|s3rver)$/, reason: 'an embedded AWS engine of npm start' },
  {
    pattern: /^(leveldown|level|level-.*|levelup|memdown|abstract-leveldown)$/,
    reason: "dynalite's storage",
  },
  { pattern: /^luxon$/, reason: 'time zones come from Intl (src/platform/time-zone.ts)' },
];

/**
 * The schema compilers (Ajv's, fast-json-stringify's, Fastify's wrappers of them): a bundle carries
 * its schemas compiled at build time (`infra/precompiled-schemas.ts`), and of those packages only the
 * run-time helpers the compiled code calls.
 */
const schemaCompiler =
  /node_modules\/(ajv\/dist\/(?!runtime\/)|fast-json-stringify\/(?!lib\/(serializer|v8)\.js$)|fast-uri\/|@fastify\/(ajv-compiler|fast-json-stringify-compiler)\/)/;

/** The package an esbuild input path belongs to (the innermost `node_modules/`), or undefined for our code. */
export function packageOf(inputPath: string): string | undefined {
  const match = /.*node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(inputPath);
  return match?.[1];
}

/** Bytes in the bundle by package (`(skiff)` for our own code), largest first. */
export function packageBytes(metafile: Metafile): [string, number][] {
  const totals = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [path, { bytesInOutput }] of Object.entries(output.inputs)) {
      const name = packageOf(path) ?? '(skiff)';
      totals.set(name, (totals.get(name) ?? 0) + bytesInOutput);
    }
  }
  return [...totals].sort((a, b) => b[1] - a[1]);
}

/**
 * What a Lambda bundle holds that it must not: a forbidden package, an SDK client its services do not
 * name, or all of TypeBox. Empty when it holds nothing wrong.
 */
export function forbiddenContents(metafile: Metafile, allowedClients: readonly string[]): string[] {
  const violations: string[] = [];
  const inputs = Object.values(metafile.outputs).flatMap((output) =>
    Object.entries(output.inputs)
      .filter(([, input]) => input.bytesInOutput > 0)
      .map(([path]) => path),
  );
  const packages = new Set(inputs.map(packageOf).filter((name) => name !== undefined));
  for (const name of [...packages].sort()) {
    const forbidden = forbiddenInLambda.find(({ pattern }) => pattern.test(name));
    if (forbidden) violations.push(`${name}: ${forbidden.reason}`);
    const client = /^@aws-sdk\/client-(.+)$/.exec(name)?.[1];
    if (client && !allowedClients.includes(client)) {
      violations.push(
        `${name}: an SDK client its services do not name (they name ${allowedClients.join(', ')})`,
      );
    }
  }
  const compilers = new Set(inputs.filter((path) => schemaCompiler.test(path)).map(packageOf));
  for (const name of [...compilers].sort()) {
    violations.push(`${name}: a schema compiler (bundles carry their schemas compiled)`);
  }
  // `import { Type } from 'typebox'` brings TypeBox's `Type` object: every builder, its Script parser too.
  if (inputs.some((path) => path.endsWith('node_modules/typebox/build/typebox.mjs'))) {
    violations.push("typebox's Type object (all of TypeBox): import it as `import * as Type from 'typebox'`");
  }
  return violations;
}

/** What is wrong with a Lambda bundle: over `maxBytes`, or `forbiddenContents`. Empty when it is fine. */
export function lambdaBundleViolations(
  bundle: { bytes: number; metafile: Metafile },
  allowedClients: readonly string[],
  maxBytes = maxLambdaBundleBytes,
): string[] {
  return [
    ...(bundle.bytes > maxBytes ? [`${bundle.bytes} bytes, over the ${maxBytes} allowed`] : []),
    ...forbiddenContents(bundle.metafile, allowedClients),
  ];
}
