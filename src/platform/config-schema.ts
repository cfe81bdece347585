/**
 * Every environment variable the platform reads, declared once: its type and range, its default and
 * its description. Validation, defaults and the README's configuration table all come from here.
 */
import type { Static } from 'typebox';
import * as Type from 'typebox';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
export const logLevels: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** How a bad value is named back to whoever set it: `<NAME> must be <expected>, got "<value>"`. */
export interface VariableDoc {
  /** What a valid value is, for the start-up message. */
  'x-expected'?: string;
  /** What the README shows as the default when the schema has none (e.g. `(unset)`). */
  'x-default-text'?: string;
  /** Whole numbers are written in digits only. */
  'x-digits'?: boolean;
}

const integer = (description: string, value: number, minimum: number, maximum: number) =>
  Type.Integer({
    description,
    default: value,
    minimum,
    maximum,
    'x-expected': `a whole number from ${minimum} to ${maximum}`,
    // Digits only, before coercion: ajv would take `1e3` or `0x10` as numbers.
    'x-digits': true,
  });
const fraction = (description: string, value: number) =>
  Type.Number({ description, default: value, minimum: 0, maximum: 1, 'x-expected': 'a number from 0 to 1' });
const flag = (description: string, value: boolean) =>
  Type.Boolean({ description, default: value, 'x-expected': 'true or false' });
const text = (description: string, value: string, rule: { pattern?: string; 'x-message'?: string } = {}) =>
  Type.String({
    description,
    default: value,
    ...(rule.pattern && { pattern: rule.pattern, 'x-expected': rule['x-message'] }),
  });
const optional = (description: string, defaultText = '(unset)') =>
  Type.Optional(Type.String({ description, 'x-default-text': defaultText }));
const url = (description: string) =>
  Type.Optional(
    Type.String({
      description,
      format: 'uri',
      pattern: '^[Hh][Tt][Tt][Pp][Ss]?://',
      'x-default-text': '(unset)',
      'x-expected': 'an http(s) URL',
    }),
  );
const oneOf = (description: string, values: readonly string[], value: string) =>
  Type.String({
    description,
    default: value,
    enum: [...values],
    'x-expected': `one of ${values.join(', ')}`,
  });

export const EnvironmentSchema = Type.Object({
  PORT: integer('HTTP port of the server', 3000, 0, 65535),
  HOST: text('Interface the HTTP server binds to (the container image sets 0.0.0.0)', '127.0.0.1'),
  LOG_LEVEL: oneOf('Log level: fatal, error, warn, info, debug, trace, silent', logLevels, 'info'),
  SKIFF_STAGE: text('Stage name; physical resource names are `skiff-<stage>-<service>-<resource>`', 'local', {
    pattern: '^[a-z][a-z0-9-]{0,19}$',
    'x-message': '1-20 lower-case letters, digits or dashes',
  }),
  SERVICES: text('Comma-separated services to mount (`greetings`, ...), or `all`', 'all'),
  SKIFF_DATA_DIR: text('Where `npm start` keeps the embedded DynamoDB and S3 data', '.skiff'),
  SKIFF_BODY_LIMIT_BYTES: integer(
    'Largest request body accepted; larger gets 413',
    1048576,
    1024,
    100 * 1024 * 1024,
  ),
  SKIFF_SHUTDOWN_TIMEOUT_MS: integer(
    'How long shutdown waits for in-flight requests before exiting',
    10000,
    0,
    600_000,
  ),
  AWS_REGION: text('AWS region of every SDK client', 'eu-west-1'),
  AWS_ENDPOINT_URL: url(
    'Endpoint for every AWS service (e.g. LocalStack `http://localhost:4566`); unset means AWS',
  ),
  AWS_ENDPOINT_URL_DYNAMODB: url('DynamoDB endpoint; wins over `AWS_ENDPOINT_URL`'),
  AWS_ENDPOINT_URL_S3: url('S3 endpoint; wins over `AWS_ENDPOINT_URL`'),
  AWS_ENDPOINT_URL_SNS: url('SNS endpoint outside local mode; wins over `AWS_ENDPOINT_URL`'),
  AWS_ENDPOINT_URL_SQS: url(
    'SQS endpoint; `npm start` against an external S3 receives its object-created events there; wins over `AWS_ENDPOINT_URL`',
  ),
  SKIFF_SNS_TOPIC_ARNS: optional(
    'Comma-separated ARNs of the topics the mounted services publish to (container and Lambda; the CDK sets it)',
  ),
  SKIFF_THANK_YOU_THRESHOLD: integer(
    "Donations: the donation count at which a donor's one special thank-you is sent",
    2,
    1,
    1_000_000,
  ),
  SKIFF_THANK_YOU_SWEEP_MS: integer(
    'Donations: how often thank-yous whose publish failed are retried (also once at start); 0 turns the timer off',
    60000,
    0,
    86_400_000,
  ),
  SKIFF_IDEMPOTENCY_WAIT_MS: integer(
    'How long a repeat of a request still in progress (same Idempotency-Key) waits for it before a 409',
    10000,
    0,
    60_000,
  ),
  SKIFF_MAX_AVATAR_BYTES: integer(
    'Users: the largest avatar image accepted; larger gets 413',
    5242880,
    1024,
    50 * 1024 * 1024,
  ),
  SKIFF_PUBLIC_URL: url(
    'Base of the URLs the API hands out (avatar links, `Link` headers); derived from each request when unset (the Helm chart and the CDK set it)',
  ),
  SKIFF_AWS_CONNECT_TIMEOUT_MS: integer(
    'Every AWS SDK call: how long one try may wait to connect',
    2000,
    100,
    60_000,
  ),
  SKIFF_AWS_REQUEST_TIMEOUT_MS: integer(
    'Every AWS SDK call: how long one try may take before it ends in a timeout (three tries); S3 and SQS calls, which stream or long-poll, may instead stall as long as three tries of another call take, and never less than 30 s',
    5000,
    100,
    120_000,
  ),
  SKIFF_AWS_MAX_SOCKETS: integer(
    'Every AWS SDK client: the most connections it opens to one endpoint at once; a call beyond waits for one up to SKIFF_AWS_CONNECT_TIMEOUT_MS a try, as if connecting',
    128,
    1,
    4096,
  ),
  SKIFF_THANK_YOU_LEASE_MS: integer(
    'Donations: how long one publisher holds a thank-you; its publish is cut off early enough that the write after it fits in the lease too',
    30000,
    100,
    600_000,
  ),
  SKIFF_LOG_DIGEST_KEY: optional(
    'Key of the digests logs carry instead of ids that may be personal (donor ids); the same on every process of a stage to correlate across them; keep it secret',
    '(random per process)',
  ),
  SKIFF_TRUST_PROXY: flag(
    'Behind a TLS ingress or load balancer: take the scheme and host of derived URLs from `X-Forwarded-Proto`/`-Host`; leave `false` when clients reach the server directly',
    false,
  ),
  SKIFF_ORDERS_PIPELINE_INTERVAL: integer(
    'Orders: milliseconds between scheduled pipeline runs under `npm start`; 0 turns the schedule off (AWS runs hourly)',
    0,
    0,
    86_400_000,
  ),
  SKIFF_ORDERS_PIPELINE_WAIT_MS: integer(
    "Orders: the local runner's wait between polls of the auction platform, and between retries of a task (AWS: 30 s polls, retries from 2 s with backoff)",
    1000,
    0,
    3_600_000,
  ),
  SKIFF_ORDERS_PIPELINE_RUNS_KEPT: integer(
    'Orders: finished pipeline runs the local runner remembers for `GET /orders/pipeline/runs` (older ones are forgotten; AWS keeps executions 90 days)',
    100,
    1,
    100_000,
  ),
  SKIFF_ORDERS_PIPELINE_MAX_ATTEMPTS: integer(
    'Orders: polls of the auction platform before a run gives up, fails and notifies',
    10,
    1,
    1000,
  ),
  SKIFF_ORDERS_STATE_MACHINE_ARN: optional(
    'Orders: the Step Functions state machine runs start on (container and Lambda; the CDK sets it)',
  ),
  SKIFF_AUCTION_SEED: optional(
    "Orders: makes the simulated auction platform deterministic; unset, each run's id is its seed (recorded in the run's summary)",
  ),
  SKIFF_AUCTION_READY_PROBABILITY: fraction(
    'Orders: chance (0 to 1) that the simulated platform has results at each poll',
    0.5,
  ),
  SKIFF_AUCTION_ACCEPT_PROBABILITY: fraction(
    'Orders: chance (0 to 1) that the simulated platform accepts an order',
    0.7,
  ),
  SKIFF_MAX_CSV_BYTES: integer(
    'Records: the largest CSV file ingested; a larger one ends as `failed`',
    52428800,
    1024,
    5 * 1024 * 1024 * 1024,
  ),
  SKIFF_LOCAL_TENANTS: text(
    'Records, `npm start` only: tenants to provision, as `id:Time/Zone:api-key` separated by commas (e.g. `acme:Europe/London:acme-key`), or `none`; the default gives the console a tenant to try, and `/_local` shows its key',
    'demo:Europe/London:demo-key',
  ),
  SKIFF_LOCAL_DYNAMODB_PORT: integer(
    'Port of the embedded DynamoDB (dynalite) under `npm start`; 0 picks a free one',
    4567,
    0,
    65535,
  ),
  SKIFF_LOCAL_S3_PORT: integer(
    'Port of the embedded S3 (s3rver) under `npm start`; 0 picks a free one',
    4568,
    0,
    65535,
  ),
});

export type EnvironmentValues = Static<typeof EnvironmentSchema>;

export interface ConfigVariable {
  name: string;
  description: string;
  default: string;
}

/** The variables as the README's configuration table lists them, in declaration order. */
export const configVariables: readonly ConfigVariable[] = Object.entries(
  EnvironmentSchema.properties as unknown as Record<
    string,
    VariableDoc & { default?: unknown; description: string }
  >,
).map(([name, schema]) => ({
  name,
  description: schema.description,
  default: schema.default === undefined ? (schema['x-default-text'] ?? '(unset)') : String(schema.default),
}));
