import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Config } from '../config.js';
import type { Notifier } from '../notify/notifier.js';
import { type AwsTimeouts, sdkMaxAttempts, worstCaseCallMs } from './call-limits.js';

/**
 * The SDK clients a runtime holds, each built on first use by a maker the runtime was given. This
 * module imports no SDK client: a Lambda bundle holds only the clients whose makers its services name
 * (`ServiceModule.clients`); the local platform, the container and the CLI pass every maker
 * (`allClientMakers` in `./clients.ts`).
 */

export interface AwsEndpoints {
  dynamodb?: string;
  s3?: string;
  sns?: string;
  sqs?: string;
}

export interface AwsClientOptions {
  region: string;
  /** Unset entries mean the real AWS endpoint. */
  endpoints: AwsEndpoints;
  /** Static credentials for local engines, which accept any; unset means the SDK's default chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /**
   * Per try: connect, and the whole try; for streams, how long the socket may stall instead
   * (`SKIFF_AWS_CONNECT_TIMEOUT_MS`, `SKIFF_AWS_REQUEST_TIMEOUT_MS`).
   */
  timeouts: AwsTimeouts;
  /** Connections each client may open to one endpoint at once (`SKIFF_AWS_MAX_SOCKETS`). */
  maxSockets: number;
  /** Where the SDK's own warnings go, as JSON lines; unset means the SDK's default, the console. */
  log?: SdkWarningLog;
}

/**
 * The part of a pino logger the SDK's warnings are written to. Its HTTP handler warns when a
 * client's connections are all busy and twice as many calls wait for one: a sign that
 * `SKIFF_AWS_MAX_SOCKETS` is too small for the work (docs/observability.md).
 */
export interface SdkWarningLog {
  warn(fields: { sdk: string }, message: string): void;
}

/**
 * A runtime's client options from its configuration: the one place that maps the call limits
 * (`SKIFF_AWS_*`) onto the clients, so a new limit reaches every runtime at once.
 */
export function clientOptionsFrom(
  config: Pick<Config, 'region' | 'awsTimeouts' | 'awsMaxSockets'>,
  endpoints: AwsEndpoints,
  { credentials, log }: Pick<AwsClientOptions, 'credentials' | 'log'> = {},
): AwsClientOptions {
  return {
    region: config.region,
    endpoints,
    ...(credentials && { credentials }),
    timeouts: config.awsTimeouts,
    maxSockets: config.awsMaxSockets,
    ...(log && { log }),
  };
}

/** SQS long polls sit idle for 20 s, and a stream read into DynamoDB waits while a write is retried. */
const streamingIdleMs = 30_000;

interface CommonClientConfig {
  region: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  maxAttempts: number;
  requestHandler: RequestHandlerSettings;
  cacheMiddleware: boolean;
}

/** The options of the SDK's Node HTTP handler the platform sets (`NodeHttpHandlerOptions`). */
interface RequestHandlerSettings {
  connectionTimeout: number;
  /** The whole try, from the call to the answer's end; a TimeoutError only with the flag below. */
  requestTimeout?: number;
  throwOnRequestTimeout?: boolean;
  /** How long the socket may sit idle once the try has one. */
  socketTimeout?: number;
  /** Node's agent options for each protocol: the SDK keeps its pool of connections in the agent. */
  httpAgent: AgentSettings;
  httpsAgent: AgentSettings;
  /** The handler's warnings; the SDK writes them to the console when this is unset. */
  logger?: SdkLogger;
}

/** The SDK's logger interface (`Logger` in @smithy/types), which its HTTP handler warns through. */
interface SdkLogger {
  debug(...content: unknown[]): void;
  info(...content: unknown[]): void;
  warn(...content: unknown[]): void;
  error(...content: unknown[]): void;
}

interface AgentSettings {
  keepAlive: true;
  maxSockets: number;
}

/** What a maker builds its client from. */
export interface ClientSettings {
  /** Region, credentials, tries and per-try timeouts: every client's. */
  common: CommonClientConfig;
  /** The same with a longer idle timeout, for calls that stream or long-poll (S3, SQS). */
  streaming: CommonClientConfig;
  endpoints: AwsEndpoints;
}

export interface ClientMaker<Client> {
  client(settings: ClientSettings): Client;
}

export interface DynamoDBMaker extends ClientMaker<DynamoDBClient> {
  /** On a DynamoDB client of its own: lib-dynamodb refuses a client whose handlers are cached. */
  documents(settings: ClientSettings): DynamoDBDocumentClient;
  /** Readiness: the table answers (DescribeTable). */
  probeTable(client: DynamoDBClient, table: string, signal: AbortSignal): Promise<void>;
}

export interface S3Maker extends ClientMaker<S3Client> {
  /** Readiness: the bucket answers (HeadBucket, or a one-key list under `listPrefix` where that is all a role may list). */
  probeBucket(
    client: S3Client,
    bucket: string,
    listPrefix: string | undefined,
    signal: AbortSignal,
  ): Promise<void>;
}

export interface SNSMaker extends ClientMaker<SNSClient> {
  /** The Notifier port on SNS; `required` names the topics that must have an ARN in `topicArns`. */
  notifier(client: SNSClient, topicArns: string[], required: string[]): Notifier;
}

/** How to build each client a runtime may use; a client whose maker is absent cannot be used there. */
export interface AwsClientMakers {
  dynamodb?: DynamoDBMaker;
  s3?: S3Maker;
  sns?: SNSMaker;
  /** S3 event notifications under `npm start` against LocalStack or moto (Lambda's event source reads them on AWS). */
  sqs?: ClientMaker<SQSClient>;
  sfn?: ClientMaker<SFNClient>;
}

export type ClientName = keyof AwsClientMakers;

export interface AwsClients {
  readonly dynamodb: DynamoDBClient;
  readonly documents: DynamoDBDocumentClient;
  readonly s3: S3Client;
  readonly sns: SNSClient;
  readonly sqs: SQSClient;
  readonly sfn: SFNClient;
  /** The makers this runtime was given (a Lambda's are its services' only). */
  readonly makers: Readonly<AwsClientMakers>;
  /** Destroys the clients built so far. */
  destroy(): void;
}

/** Asking for a client whose maker this runtime was not given: a wiring mistake, named plainly. */
export class MissingClientError extends Error {
  constructor(name: ClientName, makers: AwsClientMakers) {
    const given = Object.keys(makers).join(', ') || 'none';
    super(
      `No ${name} client here: this runtime was given the client makers of ${given} only. A service ` +
        `that calls ${name} must name its maker in its \`clients\` (src/platform/aws/makers/${name}.ts).`,
    );
    this.name = 'MissingClientError';
  }
}

/** The maker of `name`, or a MissingClientError naming it. */
export function makerOf<K extends ClientName>(
  makers: AwsClientMakers,
  name: K,
): NonNullable<AwsClientMakers[K]> {
  const maker = makers[name];
  if (!maker) throw new MissingClientError(name, makers);
  return maker as NonNullable<AwsClientMakers[K]>;
}

/** The SDK's warnings as one JSON line each, its text in `sdk`, instead of plain text on the console. */
function sdkLoggerOf(log: SdkWarningLog): SdkLogger {
  const warn = (...content: unknown[]) => log.warn({ sdk: content.join(' ') }, 'AWS SDK warning');
  return { debug: () => {}, info: () => {}, warn, error: warn };
}

function settingsOf({
  region,
  endpoints,
  credentials,
  timeouts,
  maxSockets,
  log,
}: AwsClientOptions): ClientSettings {
  // Connections kept open between calls (no TCP and TLS set-up per call), as many as calls in flight:
  // a call beyond waits in the agent's queue, which the SDK counts as connecting, so for at most
  // the connect timeout a try (docs/design.md; docs/performance.md, P2).
  const pool = {
    httpAgent: { keepAlive: true, maxSockets },
    httpsAgent: { keepAlive: true, maxSockets },
  } as const;
  const handler = {
    ...pool,
    connectionTimeout: timeouts.connectMs,
    ...(log && { logger: sdkLoggerOf(log) }),
  };
  // The SDK has no deadline by default, and its `requestTimeout` alone only logs a warning (since
  // @smithy/node-http-handler 4, where it became the whole try's time): a hung call would hold a lease
  // for ever. So each try ends with a TimeoutError, which the SDK retries, `requestMs` after it began.
  const requestHandler: RequestHandlerSettings = {
    ...handler,
    requestTimeout: timeouts.requestMs,
    throwOnRequestTimeout: true,
  };
  // Each command's middleware resolved once per client, not on every call: a quarter less CPU per
  // GetItem (decision 0022). So middleware must not be added to a client after it has sent that
  // command: nothing here does, and the tests that inject faults say when theirs is added.
  const common = { region, credentials, maxAttempts: sdkMaxAttempts, requestHandler, cacheMiddleware: true };
  // A stream (an S3 object, an SQS long poll) may take as long as it keeps moving, and may stall only
  // as long as its reader can wait: ingestion stops reading while its writes are full, each write
  // bounded by the worst case of a call, and the SDK counts those pauses as the socket's idle time.
  const streaming = {
    ...common,
    requestHandler: {
      ...handler,
      socketTimeout: Math.max(streamingIdleMs, worstCaseCallMs(timeouts)),
    },
  };
  return { common, streaming, endpoints };
}

interface Destroyable {
  destroy(): void;
  middlewareStack: { remove(name: string): boolean };
}

/**
 * Takes the SDK's logger middleware out of a new client. No client here is given a logger, and the
 * SDK's default one discards what it is given, yet the middleware filters every call's input and
 * output against the operation's schema first (`logger?.info?.(…)` with a no-op `info`): 14 % of
 * the client's CPU per 25-item BatchWriteItem, in alternating loops (docs/performance-log.md).
 * Before the client's first call, since each command's middleware is then resolved once; the
 * document client shares its DynamoDB client's stack, so this covers it too.
 */
function withoutSdkLogging<C extends Destroyable>(client: C): C {
  client.middlewareStack.remove('loggerMiddleware');
  return client;
}

/**
 * Clients are long-lived and shared: the SDK's per-call CPU cost is high, and reusing them keeps TLS
 * connections alive between calls. Each is built on first use, so a cold start pays only for what it
 * calls. Getters live on the prototype: spreading or logging this object builds nothing.
 */
class LazyAwsClients implements AwsClients {
  readonly #settings: ClientSettings;
  readonly #built = new Map<string, Destroyable>();
  readonly makers: Readonly<AwsClientMakers>;

  constructor(options: AwsClientOptions, makers: AwsClientMakers) {
    this.#settings = settingsOf(options);
    this.makers = Object.freeze({ ...makers });
  }

  #get<C extends Destroyable>(key: string, build: () => C): C {
    let client = this.#built.get(key) as C | undefined;
    if (!client) {
      client = withoutSdkLogging(build());
      this.#built.set(key, client);
    }
    return client;
  }

  get dynamodb(): DynamoDBClient {
    return this.#get('dynamodb', () => makerOf(this.makers, 'dynamodb').client(this.#settings));
  }
  get documents(): DynamoDBDocumentClient {
    return this.#get('documents', () => makerOf(this.makers, 'dynamodb').documents(this.#settings));
  }
  get s3(): S3Client {
    return this.#get('s3', () => makerOf(this.makers, 's3').client(this.#settings));
  }
  get sns(): SNSClient {
    return this.#get('sns', () => makerOf(this.makers, 'sns').client(this.#settings));
  }
  get sqs(): SQSClient {
    return this.#get('sqs', () => makerOf(this.makers, 'sqs').client(this.#settings));
  }
  get sfn(): SFNClient {
    return this.#get('sfn', () => makerOf(this.makers, 'sfn').client(this.#settings));
  }

  destroy(): void {
    for (const client of this.#built.values()) client.destroy();
  }
}

/** The clients `makers` can build, each on first use. */
export function awsClientsFrom(options: AwsClientOptions, makers: AwsClientMakers): AwsClients {
  return new LazyAwsClients(options, makers);
}
