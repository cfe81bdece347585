import { ListBucketsCommand } from '@aws-sdk/client-s3';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { type AwsClients, clientOptionsFrom, createAwsClients } from '../platform/aws/clients.js';
import type { ReadinessCheck } from '../platform/aws/readiness.js';
import type { Config } from '../platform/config.js';
import { buildApp, mountedServicesOf } from '../platform/http/app.js';
import { registerOpenApi } from '../platform/http/openapi.js';
import { keyDigest } from '../platform/log.js';
import { LocalInbox } from '../platform/notify/local-inbox.js';
import type { Notifier } from '../platform/notify/notifier.js';
import { physicalName, resolveResources } from '../platform/resources.js';
import type { ServiceModule } from '../platform/service.js';
import { localWorkflowRunner } from '../platform/workflow/local-runner.js';
import { selectServices } from '../services/catalog.js';
import type { EmbeddedDynamo } from './dynamo-engine.js';
import { engineOptionsOf, localEngineOptions } from './engine-options.js';
import { localCredentials, type ObjectCreated, startEmbeddedEngines, startEmbeddedS3 } from './engines.js';
import { provisionResources } from './provision.js';
import { localRoutes } from './routes.js';
import { type S3QueueEvents, type S3QueueEventsOptions, startS3QueueEvents } from './s3-queue-events.js';

export interface LocalPlatform {
  app: FastifyInstance;
  aws: AwsClients;
  inbox: LocalInbox;
  endpoints: { dynamodb: string; s3: string };
  /** Stops the S3 event consumers, then closes the app, the clients and the embedded engines. */
  close(): Promise<void>;
}

/**
 * What AWS would do around the services: deliver S3 object-created events to their handlers, and
 * seed data. The embedded S3 emits its events in-process, in the order they happen (a failure is
 * logged, and the upload's own recovery picks it up); any other S3 sends them to an SQS queue per
 * bucket, which a consumer here receives, as Lambda's event source does on AWS.
 */
async function wireLocalServices(
  app: FastifyInstance,
  /** The embedded S3's events, when S3 is the embedded one; otherwise they come through SQS. */
  embeddedS3Events: ((listener: (event: ObjectCreated) => void) => void) | undefined,
  /** Filled as each consumer starts, so that a failure part-way can stop those already polling. */
  consumers: S3QueueEvents[],
  { aws, config, log, s3Events }: { aws: AwsClients; config: Config; log: Logger; s3Events?: S3EventsTuning },
): Promise<void> {
  for (const { service, resources, instance } of mountedServicesOf(app)) {
    await instance.seedLocal?.();
    for (const [bucketId, handle] of Object.entries(instance.objectCreated ?? {})) {
      const bucket = resources.buckets[bucketId];
      if (!bucket)
        throw new Error(`${service.name} handles events of bucket ${bucketId}, which it does not declare`);
      if (embeddedS3Events) {
        embeddedS3Events((event) => {
          if (event.bucket !== bucket.name) return;
          handle({ key: event.key, eTag: event.eTag }).catch((error: unknown) =>
            // Keys name files (personal data): the log carries a digest of the key, never the key.
            log.error(
              {
                service: service.name,
                bucket: bucketId,
                keyDigest: keyDigest(event.key),
                reason: reasonOf(error),
              },
              'object-created handler failed',
            ),
          );
        });
      } else if (config.endpoints.sqs === undefined) {
        log.warn(
          { service: service.name, bucket: bucketId },
          'no SQS endpoint (AWS_ENDPOINT_URL_SQS or AWS_ENDPOINT_URL): S3 events of this bucket are not received',
        );
      } else {
        const consumer = await startS3QueueEvents({
          ...s3Events,
          sqs: aws.sqs,
          s3: aws.s3,
          bucket: bucket.name,
          queueName: physicalName(config.stage, service.name, `${bucketId}-events`),
          prefix: bucket.spec.eventPrefix,
          handle,
          log: log.child({ consumer: service.name, bucket: bucketId }),
        });
        consumers.push(consumer);
      }
    }
  }
}

/** Local mode also checks the embedded S3 itself, which no service may need yet. */
function s3EngineCheck(aws: AwsClients): ReadinessCheck {
  return {
    name: 's3',
    probe: async (abortSignal) => {
      await aws.s3.send(new ListBucketsCommand({}), { abortSignal });
    },
  };
}

const reasonOf = (error: unknown) => (error instanceof Error ? error.name : typeof error);

/** Tuning of the SQS consumers used when S3 is external (tests shorten the long poll). */
export type S3EventsTuning = Pick<
  S3QueueEventsOptions,
  'waitTimeSeconds' | 'visibilityTimeoutSeconds' | 'maxReceives' | 'retryDelayMs'
>;

export interface LocalPlatformOptions {
  clock?: () => Date;
  /** Wraps the inbox, e.g. to make publishing fail in a test; the inbox still records what got through. */
  notifier?: (inbox: LocalInbox) => Notifier;
  s3Events?: S3EventsTuning;
  /**
   * The embedded DynamoDB, already forked with the options `localEngineOptions` gives: `npm start`
   * forks it before it loads the platform's modules, so the two start side by side. Used when both
   * engines are embedded; the platform closes it with the rest.
   */
  embeddedDynamo?: Promise<EmbeddedDynamo>;
}

interface LocalEngines {
  endpoints: { dynamodb: string; s3: string };
  /** Which engines run embedded, in this process or its children. */
  embedded: ('dynamodb' | 's3')[];
  s3Events?: (listener: (event: ObjectCreated) => void) => void;
  close(): Promise<void>;
}

/**
 * The engines: embedded for whatever no endpoint names. DynamoDB may be elsewhere (DynamoDB Local,
 * LocalStack) beside the embedded S3; an S3 elsewhere needs a DynamoDB elsewhere too, since its
 * events come through SQS, which only such an emulator provides.
 */
async function startEngines(config: Config, embeddedDynamo?: Promise<EmbeddedDynamo>): Promise<LocalEngines> {
  const { dynamodb, s3 } = config.endpoints;
  const both = localEngineOptions(config);
  if (both) {
    const engines = await startEmbeddedEngines(both, embeddedDynamo);
    return { ...engines, embedded: ['dynamodb', 's3'], s3Events: engines.onObjectCreated };
  }
  if (dynamodb === undefined) {
    throw new Error(
      'An S3 endpoint needs a DynamoDB endpoint too: set AWS_ENDPOINT_URL_DYNAMODB or AWS_ENDPOINT_URL',
    );
  }
  if (s3 === undefined) {
    const embedded = await startEmbeddedS3(engineOptionsOf(config));
    return {
      endpoints: { dynamodb, s3: embedded.url },
      embedded: ['s3'],
      s3Events: embedded.onObjectCreated,
      close: embedded.close,
    };
  }
  return { endpoints: { dynamodb, s3 }, embedded: [], close: async () => {} };
}

/**
 * The local platform, in start order: engines (embedded, unless AWS_ENDPOINT_URL* points at
 * DynamoDB Local, moto or LocalStack), SDK clients, tables and buckets from the catalog, then the HTTP app with `/_local`,
 * then S3 events and seed data.
 */
export async function startLocalPlatform(
  config: Config,
  logger: Logger,
  options: LocalPlatformOptions = {},
): Promise<LocalPlatform> {
  const services = selectServices(config.services);
  const log = logger.child({ service: 'local' });
  // Read before anything starts, so a bad SKIFF_LOCAL_TENANTS leaves nothing running behind it.
  const tenants = services.some((s) => s.name === 'records') ? config.records.localTenants : [];
  const engines = await startEngines(config, options.embeddedDynamo);
  log.info({ endpoints: engines.endpoints, embedded: engines.embedded }, 'engines ready');
  const aws = createAwsClients(
    clientOptionsFrom(
      config,
      { ...engines.endpoints, sqs: config.endpoints.sqs },
      { credentials: localCredentials, log },
    ),
  );
  try {
    return await platformOn(engines, aws, { config, logger, services, tenants, options });
  } catch (error) {
    // A start that fails part-way (an engine refusing a table, a service failing to build) leaves
    // no engine or client running behind it.
    aws.destroy();
    await engines.close();
    throw error;
  }
}

/** Everything above the engines: tables and buckets, the app with `/_local`, S3 events and seed data. */
async function platformOn(
  engines: LocalEngines,
  aws: AwsClients,
  {
    config,
    logger,
    services,
    tenants,
    options,
  }: {
    config: Config;
    logger: Logger;
    services: ServiceModule[];
    tenants: Config['records']['localTenants'];
    options: LocalPlatformOptions;
  },
): Promise<LocalPlatform> {
  const { clock = () => new Date(), notifier, s3Events } = options;
  const log = logger.child({ service: 'local' });
  const { endpoints } = engines;
  const resources = Object.fromEntries(
    services.map((s) => [s.name, resolveResources(config.stage, s.name, s.resources)]),
  );
  await provisionResources(aws, Object.values(resources), log);

  const inbox = new LocalInbox(clock);
  const app = await buildApp({
    logger,
    services,
    context: {
      config,
      aws,
      clock,
      notifier: notifier?.(inbox) ?? inbox,
      mode: 'local',
      localWorkflows: localWorkflowRunner,
    },
    openApi: registerOpenApi,
    extraReadinessChecks: [s3EngineCheck(aws)],
    // The tenants exist only where records is mounted.
    extraRoutes: localRoutes({ endpoints, tenants, resources, inbox }),
  });
  const consumers: S3QueueEvents[] = [];
  await wireLocalServices(app, engines.s3Events, consumers, { aws, config, log, s3Events }).catch(
    async (error: unknown) => {
      // What started before the failure stops (startLocalPlatform then closes the clients and engines):
      // a start tried again in this process (scripts/start.mjs) must not find it still polling.
      await Promise.all(consumers.map((consumer) => consumer.stop()));
      await app.close();
      throw error;
    },
  );
  return {
    app,
    aws,
    inbox,
    endpoints,
    close: async () => {
      // Event handlers belong to the services, which the app closes: they stop first.
      await Promise.all(consumers.map((consumer) => consumer.stop()));
      await app.close();
      aws.destroy();
      await engines.close();
    },
  };
}
