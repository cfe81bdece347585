/**
 * Typed configuration read from the environment only, validated once at start.
 * Every variable is declared here with its description and default; the README table is held
 * against this list by a test, so the two cannot drift apart.
 */
import { randomBytes } from 'node:crypto';
import { worstCaseCallMs } from './aws/clients.js';
import { isTimeZone } from './time-zone.js';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
const logLevels: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

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

/** A thank-you's publish is cut off when only the worst case of the write after it is left of the lease. */
export function publishDeadlineMs(config: Pick<Config, 'thankYouLeaseMs' | 'awsTimeouts'>): number {
  return config.thankYouLeaseMs - worstCaseCallMs(config.awsTimeouts) - leaseMarginMs;
}

export interface ConfigVariable {
  name: string;
  description: string;
  default: string;
}

type Env = Record<string, string | undefined>;

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

export const configVariables: readonly ConfigVariable[] = [
  { name: 'PORT', description: 'HTTP port of the server', default: '3000' },
  {
    name: 'HOST',
    description: 'Interface the HTTP server binds to (the container image sets 0.0.0.0)',
    default: '127.0.0.1',
  },
  { name: 'LOG_LEVEL', description: `Log level: ${logLevels.join(', ')}`, default: 'info' },
  {
    name: 'SKIFF_STAGE',
    description: 'Stage name; physical resource names are `skiff-<stage>-<service>-<resource>`',
    default: 'local',
  },
  {
    name: 'SERVICES',
    description: 'Comma-separated services to mount (`greetings`, ...), or `all`',
    default: 'all',
  },
  {
    name: 'SKIFF_DATA_DIR',
    description: 'Where `npm start` keeps the embedded DynamoDB and S3 data',
    default: '.skiff',
  },
  {
    name: 'SKIFF_BODY_LIMIT_BYTES',
    description: 'Largest request body accepted; larger gets 413',
    default: '1048576',
  },
  {
    name: 'SKIFF_SHUTDOWN_TIMEOUT_MS',
    description: 'How long shutdown waits for in-flight requests before exiting',
    default: '10000',
  },
  { name: 'AWS_REGION', description: 'AWS region of every SDK client', default: 'eu-west-1' },
  {
    name: 'AWS_ENDPOINT_URL',
    description: 'Endpoint for every AWS service (e.g. LocalStack `http://localhost:4566`); unset means AWS',
    default: '(unset)',
  },
  {
    name: 'AWS_ENDPOINT_URL_DYNAMODB',
    description: 'DynamoDB endpoint; wins over `AWS_ENDPOINT_URL`',
    default: '(unset)',
  },
  {
    name: 'AWS_ENDPOINT_URL_S3',
    description: 'S3 endpoint; wins over `AWS_ENDPOINT_URL`',
    default: '(unset)',
  },
  {
    name: 'AWS_ENDPOINT_URL_SNS',
    description: 'SNS endpoint outside local mode; wins over `AWS_ENDPOINT_URL`',
    default: '(unset)',
  },
  {
    name: 'AWS_ENDPOINT_URL_SQS',
    description:
      'SQS endpoint; `npm start` against an external S3 receives its object-created events there; wins over `AWS_ENDPOINT_URL`',
    default: '(unset)',
  },
  {
    name: 'SKIFF_SNS_TOPIC_ARNS',
    description:
      'Comma-separated ARNs of the topics the mounted services publish to (container and Lambda; the CDK sets it)',
    default: '(unset)',
  },
  {
    name: 'SKIFF_THANK_YOU_THRESHOLD',
    description: "Donations: the donation count at which a donor's one special thank-you is sent",
    default: '2',
  },
  {
    name: 'SKIFF_THANK_YOU_SWEEP_MS',
    description:
      'Donations: how often thank-yous whose publish failed are retried (also once at start); 0 turns the timer off',
    default: '60000',
  },
  {
    name: 'SKIFF_IDEMPOTENCY_WAIT_MS',
    description:
      'How long a repeat of a request still in progress (same Idempotency-Key) waits for it before a 409',
    default: '10000',
  },
  {
    name: 'SKIFF_MAX_AVATAR_BYTES',
    description: 'Users: the largest avatar image accepted; larger gets 413',
    default: '5242880',
  },
  {
    name: 'SKIFF_PUBLIC_URL',
    description:
      'Base of the URLs the API hands out (avatar links, `Link` headers); derived from each request when unset (the Helm chart and the CDK set it)',
    default: '(unset)',
  },
  {
    name: 'SKIFF_AWS_CONNECT_TIMEOUT_MS',
    description: 'Every AWS SDK call: how long one try may wait to connect',
    default: '2000',
  },
  {
    name: 'SKIFF_AWS_REQUEST_TIMEOUT_MS',
    description:
      'Every AWS SDK call: how long one try may wait with no answer (S3 streams and SQS long polls never below 30 s); three tries',
    default: '5000',
  },
  {
    name: 'SKIFF_THANK_YOU_LEASE_MS',
    description:
      'Donations: how long one publisher holds a thank-you; its publish is cut off early enough that the write after it fits in the lease too',
    default: '30000',
  },
  {
    name: 'SKIFF_LOG_DIGEST_KEY',
    description:
      'Key of the digests logs carry instead of ids that may be personal (donor ids); the same on every process of a stage to correlate across them; keep it secret',
    default: '(random per process)',
  },
  {
    name: 'SKIFF_TRUST_PROXY',
    description:
      'Behind a TLS ingress or load balancer: take the scheme and host of derived URLs from `X-Forwarded-Proto`/`-Host`; leave `false` when clients reach the server directly',
    default: 'false',
  },
  {
    name: 'SKIFF_ORDERS_PIPELINE_INTERVAL',
    description:
      'Orders: milliseconds between scheduled pipeline runs under `npm start`; 0 turns the schedule off (AWS runs hourly)',
    default: '0',
  },
  {
    name: 'SKIFF_ORDERS_PIPELINE_WAIT_MS',
    description:
      "Orders: the local runner's wait between polls of the auction platform, and between retries of a task (AWS: 30 s polls, retries from 2 s with backoff)",
    default: '1000',
  },
  {
    name: 'SKIFF_ORDERS_PIPELINE_RUNS_KEPT',
    description:
      'Orders: finished pipeline runs the local runner remembers for `GET /orders/pipeline/runs` (older ones are forgotten; AWS keeps executions 90 days)',
    default: '100',
  },
  {
    name: 'SKIFF_ORDERS_PIPELINE_MAX_ATTEMPTS',
    description: 'Orders: polls of the auction platform before a run gives up, fails and notifies',
    default: '10',
  },
  {
    name: 'SKIFF_ORDERS_STATE_MACHINE_ARN',
    description:
      'Orders: the Step Functions state machine runs start on (container and Lambda; the CDK sets it)',
    default: '(unset)',
  },
  {
    name: 'SKIFF_AUCTION_SEED',
    description:
      "Orders: makes the simulated auction platform deterministic; unset, each run's id is its seed (recorded in the run's summary)",
    default: '(unset)',
  },
  {
    name: 'SKIFF_AUCTION_READY_PROBABILITY',
    description: 'Orders: chance (0 to 1) that the simulated platform has results at each poll',
    default: '0.5',
  },
  {
    name: 'SKIFF_AUCTION_ACCEPT_PROBABILITY',
    description: 'Orders: chance (0 to 1) that the simulated platform accepts an order',
    default: '0.7',
  },
  {
    name: 'SKIFF_MAX_CSV_BYTES',
    description: 'Records: the largest CSV file ingested; a larger one ends as `failed`',
    default: '52428800',
  },
  {
    name: 'SKIFF_LOCAL_TENANTS',
    description:
      'Records, `npm start` only: tenants to provision, as `id:Time/Zone:api-key` separated by commas (e.g. `acme:Europe/London:acme-key`)',
    default: '(unset)',
  },
  {
    name: 'SKIFF_LOCAL_DYNAMODB_PORT',
    description: 'Port of the embedded DynamoDB (dynalite) under `npm start`; 0 picks a free one',
    default: '4567',
  },
  {
    name: 'SKIFF_LOCAL_S3_PORT',
    description: 'Port of the embedded S3 (s3rver) under `npm start`; 0 picks a free one',
    default: '4568',
  },
];

const defaults = Object.fromEntries(configVariables.map((v) => [v.name, v.default]));

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

function localTenants(raw: string | undefined, problems: string[]): Config['records']['localTenants'] {
  return (raw ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .flatMap((entry) => {
      const [id = '', timeZone = '', key = ''] = entry.split(':');
      const valid = /^[a-z0-9][a-z0-9-]{0,62}$/.test(id) && isTimeZone(timeZone) && key.length >= 8;
      if (!valid) {
        problems.push(
          `SKIFF_LOCAL_TENANTS entry "${id}:${timeZone}:…" needs a lower-case id, an IANA time zone and a key of 8+ characters`,
        );
        return [];
      }
      return [{ id, timeZone, key }];
    });
}

export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  const read = (name: string): string => {
    const value = env[name]?.trim();
    return value ? value : (defaults[name] ?? '');
  };
  const integer = (name: string, min: number, max: number): number => {
    const raw = read(name);
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || value < min || value > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
    }
    return value;
  };
  const fraction = (name: string): number => {
    const raw = read(name);
    const value = Number(raw);
    if (raw === '' || !Number.isFinite(value) || value < 0 || value > 1) {
      problems.push(`${name} must be a number from 0 to 1, got "${raw}"`);
    }
    return value;
  };
  const flag = (name: string): boolean => {
    const raw = read(name);
    if (!['true', 'false'].includes(raw)) problems.push(`${name} must be true or false, got "${raw}"`);
    return raw === 'true';
  };
  const url = (name: string): string | undefined => {
    const raw = env[name]?.trim();
    if (!raw) return undefined;
    if (!URL.canParse(raw) || !/^https?:$/.test(new URL(raw).protocol)) {
      problems.push(`${name} must be an http(s) URL, got "${raw}"`);
    }
    return raw;
  };

  const logLevel = read('LOG_LEVEL') as LogLevel;
  if (!logLevels.includes(logLevel)) problems.push(`LOG_LEVEL must be one of ${logLevels.join(', ')}`);
  const stage = read('SKIFF_STAGE');
  if (!/^[a-z][a-z0-9-]{0,19}$/.test(stage)) {
    problems.push(`SKIFF_STAGE must be 1-20 lower-case letters, digits or dashes, got "${stage}"`);
  }
  const servicesRaw = read('SERVICES');
  const services =
    servicesRaw === 'all'
      ? 'all'
      : servicesRaw
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
  if (services !== 'all' && services.length === 0) problems.push('SERVICES must name at least one service');
  const anyEndpoint = url('AWS_ENDPOINT_URL');

  const config: Config = {
    port: integer('PORT', 0, 65535),
    host: read('HOST'),
    logLevel,
    stage,
    services,
    dataDir: read('SKIFF_DATA_DIR'),
    bodyLimitBytes: integer('SKIFF_BODY_LIMIT_BYTES', 1024, 100 * 1024 * 1024),
    shutdownTimeoutMs: integer('SKIFF_SHUTDOWN_TIMEOUT_MS', 0, 600_000),
    region: read('AWS_REGION'),
    endpoints: {
      dynamodb: url('AWS_ENDPOINT_URL_DYNAMODB') ?? anyEndpoint,
      s3: url('AWS_ENDPOINT_URL_S3') ?? anyEndpoint,
      sns: url('AWS_ENDPOINT_URL_SNS') ?? anyEndpoint,
      sqs: url('AWS_ENDPOINT_URL_SQS') ?? anyEndpoint,
    },
    snsTopicArns: topicArns(env.SKIFF_SNS_TOPIC_ARNS, problems),
    thankYouThreshold: integer('SKIFF_THANK_YOU_THRESHOLD', 1, 1_000_000),
    thankYouSweepIntervalMs: integer('SKIFF_THANK_YOU_SWEEP_MS', 0, 86_400_000),
    idempotencyWaitMs: integer('SKIFF_IDEMPOTENCY_WAIT_MS', 0, 60_000),
    maxAvatarBytes: integer('SKIFF_MAX_AVATAR_BYTES', 1024, 50 * 1024 * 1024),
    publicUrl: url('SKIFF_PUBLIC_URL')?.replace(/\/$/, ''),
    trustProxy: flag('SKIFF_TRUST_PROXY'),
    awsTimeouts: {
      connectMs: integer('SKIFF_AWS_CONNECT_TIMEOUT_MS', 100, 60_000),
      requestMs: integer('SKIFF_AWS_REQUEST_TIMEOUT_MS', 100, 120_000),
    },
    thankYouLeaseMs: integer('SKIFF_THANK_YOU_LEASE_MS', 100, 600_000),
    logDigestKey: env.SKIFF_LOG_DIGEST_KEY?.trim() || randomBytes(32).toString('hex'),
    records: {
      maxCsvBytes: integer('SKIFF_MAX_CSV_BYTES', 1024, 5 * 1024 * 1024 * 1024),
      localTenants: localTenants(env.SKIFF_LOCAL_TENANTS, problems),
    },
    orders: {
      pipelineIntervalMs: integer('SKIFF_ORDERS_PIPELINE_INTERVAL', 0, 86_400_000),
      pipelineWaitMs: integer('SKIFF_ORDERS_PIPELINE_WAIT_MS', 0, 3_600_000),
      maxAttempts: integer('SKIFF_ORDERS_PIPELINE_MAX_ATTEMPTS', 1, 1000),
      runsKept: integer('SKIFF_ORDERS_PIPELINE_RUNS_KEPT', 1, 100_000),
      stateMachineArn: env.SKIFF_ORDERS_STATE_MACHINE_ARN?.trim() || undefined,
      auction: {
        seed: env.SKIFF_AUCTION_SEED?.trim() || undefined,
        readyProbability: fraction('SKIFF_AUCTION_READY_PROBABILITY'),
        acceptProbability: fraction('SKIFF_AUCTION_ACCEPT_PROBABILITY'),
      },
    },
    localPorts: {
      dynamodb: integer('SKIFF_LOCAL_DYNAMODB_PORT', 0, 65535),
      s3: integer('SKIFF_LOCAL_S3_PORT', 0, 65535),
    },
  };
  if (publishDeadlineMs(config) < 1_000) {
    problems.push(
      `SKIFF_THANK_YOU_LEASE_MS must leave a publish at least 1 s after the worst case of a write (${worstCaseCallMs(config.awsTimeouts)} ms with these AWS timeouts), got ${config.thankYouLeaseMs}`,
    );
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
