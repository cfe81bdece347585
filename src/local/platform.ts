import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { type AwsClients, createAwsClients } from '../platform/aws/clients.js';
import { s3EngineCheck } from '../platform/aws/readiness.js';
import type { Config } from '../platform/config.js';
import { buildApp, mountedServicesOf } from '../platform/http/app.js';
import { LocalInbox } from '../platform/notify/local-inbox.js';
import type { Notifier } from '../platform/notify/notifier.js';
import { resolveResources } from '../platform/resources.js';
import { selectServices } from '../services/catalog.js';
import { type EmbeddedEngines, localCredentials, startEmbeddedEngines } from './engines.js';
import { provisionResources } from './provision.js';
import { localRoutes } from './routes.js';

export interface LocalPlatform {
  app: FastifyInstance;
  aws: AwsClients;
  inbox: LocalInbox;
  endpoints: { dynamodb: string; s3: string };
  /** Closes the app, the clients and the embedded engines, in that order. */
  close(): Promise<void>;
}

/**
 * The local platform, in start order: engines (embedded, unless AWS_ENDPOINT_URL* points at
 * LocalStack), SDK clients, tables and buckets from the catalog, then the HTTP app with `/_local`.
 */
/**
 * What AWS would do around the services: deliver S3 object-created events to their handlers (in the
 * order they happen; a failure is logged, and the upload's own recovery picks it up), and seed data.
 */
async function wireLocalServices(app: FastifyInstance, engines: EmbeddedEngines | undefined, log: Logger) {
  for (const { service, resources, instance } of mountedServicesOf(app)) {
    await instance.seedLocal?.();
    for (const [bucketId, handle] of Object.entries(instance.objectCreated ?? {})) {
      const bucket = resources.buckets[bucketId]?.name;
      engines?.onObjectCreated((event) => {
        if (event.bucket !== bucket) return;
        handle({ key: event.key, eTag: event.eTag }).catch((error: unknown) =>
          // Keys name files (personal data): the log carries a digest of the key, never the key.
          log.error(
            { service: service.name, keyDigest: keyDigest(event.key), reason: reasonOf(error) },
            'object-created handler failed',
          ),
        );
      });
    }
  }
}

const keyDigest = (key: string) => createHash('sha256').update(key).digest('hex').slice(0, 16);
const reasonOf = (error: unknown) => (error instanceof Error ? error.name : typeof error);

export interface LocalPlatformOptions {
  clock?: () => Date;
  /** Wraps the inbox, e.g. to make publishing fail in a test; the inbox still records what got through. */
  notifier?: (inbox: LocalInbox) => Notifier;
}

export async function startLocalPlatform(
  config: Config,
  logger: Logger,
  { clock = () => new Date(), notifier }: LocalPlatformOptions = {},
): Promise<LocalPlatform> {
  const services = selectServices(config.services);
  const log = logger.child({ service: 'local' });
  const { dynamodb, s3 } = config.endpoints;
  if ((dynamodb === undefined) !== (s3 === undefined)) {
    throw new Error('Local mode needs both DynamoDB and S3 endpoints, or neither: set AWS_ENDPOINT_URL');
  }
  let engines: EmbeddedEngines | undefined;
  if (dynamodb === undefined) {
    engines = await startEmbeddedEngines({
      host: '127.0.0.1',
      dataDir: config.dataDir,
      dynamodbPort: config.localPorts.dynamodb,
      s3Port: config.localPorts.s3,
    });
  }
  const endpoints = engines?.endpoints ?? { dynamodb: String(dynamodb), s3: String(s3) };
  log.info({ endpoints, embedded: engines !== undefined }, 'engines ready');

  const aws = createAwsClients({ region: config.region, endpoints, credentials: localCredentials });
  const resources = Object.fromEntries(
    services.map((s) => [s.name, resolveResources(config.stage, s.name, s.resources)]),
  );
  await provisionResources(aws, Object.values(resources), log);

  const inbox = new LocalInbox(clock);
  const app = await buildApp({
    logger,
    services,
    context: { config, aws, clock, notifier: notifier?.(inbox) ?? inbox, mode: 'local' },
    extraReadinessChecks: [s3EngineCheck(aws)],
    extraRoutes: localRoutes({ endpoints, resources, inbox }),
  });
  await wireLocalServices(app, engines, log);
  return {
    app,
    aws,
    inbox,
    endpoints,
    close: async () => {
      await app.close();
      aws.destroy();
      await engines?.close();
    },
  };
}
