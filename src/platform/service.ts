import type { FastifyPluginAsync } from 'fastify';
import type { Logger } from 'pino';
import type { AwsClientMakers, AwsClients } from './aws/client-set.js';
import type { BackgroundTask } from './background.js';
import type { Config } from './config.js';
import type { Notifier } from './notify/notifier.js';
import type { ResolvedResources, ServiceResources } from './resources.js';
import type { LocalRunnerOptions } from './workflow/local-runner.js';
import type { WorkflowRunner, WorkflowTask } from './workflow/workflow-runner.js';

/** What the platform hands a service: its dependencies, never module-level singletons. */
export interface ServiceContext<R extends ServiceResources = ServiceResources> {
  config: Config;
  aws: AwsClients;
  /** This service's own tables, buckets and topics, with their physical names. */
  resources: ResolvedResources<R>;
  notifier: Notifier;
  clock: () => Date;
  /** `local` under `npm start` (embedded engines, no public S3 URLs), `cloud` in containers and Lambda. */
  mode: 'local' | 'cloud';
  /** Logger bound to the service's name, for work outside a request (background tasks). */
  log: Logger;
  /**
   * Local mode only: runs a state machine in this process (aws-local-stepfunctions). The local
   * platform supplies it, so cloud runtimes, and Lambda bundles, never load the local engine.
   */
  localWorkflows?: (options: LocalRunnerOptions) => WorkflowRunner;
}

/** An object created in a bucket, as an S3 event names it: the key decoded, the ETag without quotes. */
export interface CreatedObject {
  key: string;
  eTag?: string;
}

/**
 * How an object-created handler is run. `stopBy` aborts when the invocation is about to end (a
 * Lambda's timeout): the handler stops taking new work, lets go of what it holds, leaving it to a
 * later try, and returns, rather than being cut off part-way.
 */
export interface HandleOptions {
  stopBy?: AbortSignal;
}

export type ObjectCreatedHandler = (object: CreatedObject, options?: HandleOptions) => Promise<void>;

/** A running service: its routes, and the work it does outside requests. */
export interface ServiceInstance {
  /** Absent in a part that serves no HTTP (a worker deployed as its own function). */
  routes?: FastifyPluginAsync;
  tasks?: BackgroundTask[];
  /** Task states of the service's workflows, by name: Lambda entries on AWS, local functions otherwise. */
  workflowTasks?: Record<string, WorkflowTask>;
  /** Releases what the service holds (e.g. local workflow runs), after the app stops serving. */
  close?: () => Promise<void>;
  /**
   * Handlers of objects created in the service's buckets, by bucket id: S3 events, in-process from the
   * embedded S3, through SQS from any other (a consumer under `npm start`, Lambda's event source on AWS).
   * Through SQS a handler that throws gets the event again after the visibility timeout (the embedded
   * S3 only logs the failure), and any event may come twice: handlers must be idempotent.
   */
  objectCreated?: Record<string, ObjectCreatedHandler>;
  /** Local mode only: data to create at start (e.g. tenants from the environment). */
  seedLocal?: () => Promise<void>;
}

/**
 * A service as the platform sees it: a name, what it needs from AWS, and a factory that builds its
 * stores once, so routes and background tasks share them.
 */
export interface ServiceModule<R extends ServiceResources = ServiceResources> {
  name: string;
  resources: R;
  /**
   * The SDK clients the service calls, as makers (`platform/aws/makers/`): a Lambda builds only
   * these, and its bundle holds no other SDK client. `aws.<client>` outside them throws.
   */
  clients: AwsClientMakers;
  create(context: ServiceContext<R>): ServiceInstance;
}
