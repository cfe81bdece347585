/**
 * Typed configuration read from the environment only, checked once at start against the schema in
 * `config-schema.ts` (types, ranges, defaults, descriptions; read by `config-values.ts`), then shaped
 * for the services. The README table is held against that schema by a test, so the two cannot drift
 * apart. Every bad value is named in one start-up message.
 */
import { randomBytes } from 'node:crypto';
import { worstCaseCallMs } from './aws/call-limits.js';
import {
  EnvironmentSchema,
  type EnvironmentValues,
  type LogLevel,
  type VariableDoc,
} from './config-schema.js';
import { readValue, type VariableSchema } from './config-values.js';
import { isTimeZone } from './time-zone.js';

export { configVariables, type LogLevel } from './config-schema.js';

export interface Config {
  port: number;
  host: string;
  logLevel: LogLevel;
  stage: string;
  services: string[] | 'all';
  dataDir: string;
  bodyLimitBytes: number;
  shutdownTimeoutMs: number;
  region: string;
  endpoints: { dynamodb?: string; s3?: string; sns?: string; sqs?: string };
  snsTopicArns: string[];
  thankYouThreshold: number;
  thankYouSweepIntervalMs: number;
  idempotencyWaitMs: number;
  maxAvatarBytes: number;
  publicUrl?: string;
  /** Take the scheme and host from X-Forwarded-Proto/-Host (only behind a proxy that sets them). */
  trustProxy: boolean;
  awsTimeouts: { connectMs: number; requestMs: number };
  /** Connections per AWS SDK client and endpoint (`SKIFF_AWS_MAX_SOCKETS`). */
  awsMaxSockets: number;
  /** How long a thank-you's publisher holds it before another may try. */
  thankYouLeaseMs: number;
  /** The key of the digests logs carry instead of personal ids. */
  logDigestKey: string;
  records: {
    maxCsvBytes: number;
    localTenants: { id: string; timeZone: string; key: string }[];
  };
  orders: {
    pipelineIntervalMs: number;
    pipelineWaitMs: number;
    maxAttempts: number;
    runsKept: number;
    stateMachineArn?: string;
    auction: { seed?: string; readyProbability: number; acceptProbability: number };
  };
  localPorts: { dynamodb: number; s3: number };
}

/** Room left in a lease after its last write, for clocks and scheduling. */
const leaseMarginMs = 2_000;

/**
 * The shortest lease any service holds while it calls AWS: the idempotency key's 30 s (donations).
 * The others are longer: e-mail reservations 60 s (users), order claims 5 min (orders), and the
 * thank-you lease, configured and checked on its own. One call, all tries, must fit in it.
 */
export const shortestLeaseMs = 30_000;

/** A thank-you's publish is cut off when only the worst case of the write after it is left of the lease. */
export function publishDeadlineMs(config: Pick<Config, 'thankYouLeaseMs' | 'awsTimeouts'>): number {
  return config.thankYouLeaseMs - worstCaseCallMs(config.awsTimeouts) - leaseMarginMs;
}

type Env = Record<string, string | undefined>;

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

function topicArns(raw: string | undefined, problems: string[]): string[] {
  const arns = (raw ?? '')
    .split(',')
    .map((arn) => arn.trim())
    .filter(Boolean);
  for (const arn of arns) {
    if (!/^arn:aws[\w-]*:sns:[\w-]+:\d{12}:[\w-]{1,256}$/.test(arn)) {
      problems.push(`SKIFF_SNS_TOPIC_ARNS holds "${arn}", which is not an SNS topic ARN`);
    }
  }
  return arns;
}

const tenantEntry = /^([a-z0-9][a-z0-9-]{0,62}):([^:]+):([^:]{8,})$/;
const tenantProblem = (entry: string) =>
  `SKIFF_LOCAL_TENANTS entry "${entry.split(':').slice(0, 2).join(':')}:…" needs a lower-case id, an IANA time zone and a key of 8+ characters`;

/** SKIFF_LOCAL_TENANTS's entries (`id:Time/Zone:key`), their shape checked with the rest of the config. */
function tenantEntries(raw: string, problems: string[]): string[][] {
  if (raw === 'none') return [];
  const entries = raw
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  for (const entry of entries) if (!tenantEntry.test(entry)) problems.push(tenantProblem(entry));
  return entries.map((entry) => entry.split(':'));
}

/**
 * The local tenants, their time zones checked where they are first read (local mode's start) rather
 * than with the rest: the check loads the time-zone data through Intl (about 10 ms), which every
 * Lambda cold start would pay for a setting only `npm start` reads.
 */
function localTenants(entries: string[][]): Config['records']['localTenants'] {
  const unknown = entries.filter(([, timeZone = '']) => !isTimeZone(timeZone));
  if (unknown.length > 0) throw new ConfigError(unknown.map((entry) => tenantProblem(entry.join(':'))));
  return entries.map(([id = '', timeZone = '', key = '']) => ({ id, timeZone, key }));
}

const variableSchemas = EnvironmentSchema.properties as unknown as Record<
  string,
  VariableSchema & VariableDoc & { default?: unknown }
>;

/** The set variables (trimmed, empty as unset) read as the schema says, defaults filled in. */
function readEnvironment(env: Env, problems: string[]): EnvironmentValues {
  const values: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(variableSchemas)) {
    const text = env[name]?.trim();
    if (!text) {
      if (schema.default !== undefined) values[name] = schema.default;
      continue;
    }
    const value = schema['x-digits'] && !/^\d+$/.test(text) ? undefined : readValue(schema, text);
    if (value === undefined)
      problems.push(`${name} must be ${schema['x-expected'] ?? 'valid'}, got "${text}"`);
    else values[name] = value;
  }
  return values as EnvironmentValues;
}

const list = (value: string) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);

export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  const v = readEnvironment(env, problems);
  const services = v.SERVICES === 'all' ? 'all' : list(v.SERVICES);
  if (services !== 'all' && services.length === 0) problems.push('SERVICES must name at least one service');
  const anyEndpoint = v.AWS_ENDPOINT_URL;
  const entries = tenantEntries(v.SKIFF_LOCAL_TENANTS, problems);
  let tenants: Config['records']['localTenants'] | undefined;
  const config: Config = {
    port: v.PORT,
    host: v.HOST,
    logLevel: v.LOG_LEVEL as LogLevel,
    stage: v.SKIFF_STAGE,
    services,
    dataDir: v.SKIFF_DATA_DIR,
    bodyLimitBytes: v.SKIFF_BODY_LIMIT_BYTES,
    shutdownTimeoutMs: v.SKIFF_SHUTDOWN_TIMEOUT_MS,
    region: v.AWS_REGION,
    endpoints: {
      dynamodb: v.AWS_ENDPOINT_URL_DYNAMODB ?? anyEndpoint,
      s3: v.AWS_ENDPOINT_URL_S3 ?? anyEndpoint,
      sns: v.AWS_ENDPOINT_URL_SNS ?? anyEndpoint,
      sqs: v.AWS_ENDPOINT_URL_SQS ?? anyEndpoint,
    },
    snsTopicArns: topicArns(v.SKIFF_SNS_TOPIC_ARNS, problems),
    thankYouThreshold: v.SKIFF_THANK_YOU_THRESHOLD,
    thankYouSweepIntervalMs: v.SKIFF_THANK_YOU_SWEEP_MS,
    idempotencyWaitMs: v.SKIFF_IDEMPOTENCY_WAIT_MS,
    maxAvatarBytes: v.SKIFF_MAX_AVATAR_BYTES,
    publicUrl: v.SKIFF_PUBLIC_URL?.replace(/\/$/, ''),
    trustProxy: v.SKIFF_TRUST_PROXY,
    awsTimeouts: { connectMs: v.SKIFF_AWS_CONNECT_TIMEOUT_MS, requestMs: v.SKIFF_AWS_REQUEST_TIMEOUT_MS },
    awsMaxSockets: v.SKIFF_AWS_MAX_SOCKETS,
    thankYouLeaseMs: v.SKIFF_THANK_YOU_LEASE_MS,
    logDigestKey: v.SKIFF_LOG_DIGEST_KEY ?? randomBytes(32).toString('hex'),
    records: {
      maxCsvBytes: v.SKIFF_MAX_CSV_BYTES,
      get localTenants() {
        tenants ??= localTenants(entries);
        return tenants;
      },
    },
    orders: {
      pipelineIntervalMs: v.SKIFF_ORDERS_PIPELINE_INTERVAL,
      pipelineWaitMs: v.SKIFF_ORDERS_PIPELINE_WAIT_MS,
      maxAttempts: v.SKIFF_ORDERS_PIPELINE_MAX_ATTEMPTS,
      runsKept: v.SKIFF_ORDERS_PIPELINE_RUNS_KEPT,
      stateMachineArn: v.SKIFF_ORDERS_STATE_MACHINE_ARN,
      auction: {
        seed: v.SKIFF_AUCTION_SEED,
        readyProbability: v.SKIFF_AUCTION_READY_PROBABILITY,
        acceptProbability: v.SKIFF_AUCTION_ACCEPT_PROBABILITY,
      },
    },
    localPorts: { dynamodb: v.SKIFF_LOCAL_DYNAMODB_PORT, s3: v.SKIFF_LOCAL_S3_PORT },
  };
  if (worstCaseCallMs(config.awsTimeouts) + leaseMarginMs > shortestLeaseMs) {
    problems.push(
      `SKIFF_AWS_CONNECT_TIMEOUT_MS and SKIFF_AWS_REQUEST_TIMEOUT_MS let one call take ${worstCaseCallMs(config.awsTimeouts)} ms (three tries), longer than the shortest lease a service holds (${shortestLeaseMs} ms) allows`,
    );
  }
  if (problems.length === 0 && publishDeadlineMs(config) < 1_000) {
    problems.push(
      `SKIFF_THANK_YOU_LEASE_MS must leave a publish at least 1 s after the worst case of a write (${worstCaseCallMs(config.awsTimeouts)} ms with these AWS timeouts), got ${config.thankYouLeaseMs}`,
    );
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
