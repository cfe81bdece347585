import awsLambdaFastify, { type LambdaResponse, type PromiseHandler } from '@fastify/aws-lambda';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { pino } from 'pino';
import { cloudContext } from './cloud-context.js';
import { loadConfig } from './config.js';
import { buildApp } from './http/app.js';
import { isAcceptableRequestId } from './http/request-id.js';
import { loggerOptions } from './log.js';
import { resolveResources } from './resources.js';
import { type BatchResult, handleS3EventBatch, type S3EventMessage } from './s3-event-messages.js';
import type { ServiceInstance, ServiceModule } from './service.js';
import type { WorkflowTask } from './workflow/workflow-runner.js';

export type HttpApiHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<LambdaResponse>;

/**
 * The same Fastify app behind API Gateway's HTTP API. It is built on the first event and kept for
 * the life of the execution environment, so clients and compiled schemas are reused across calls.
 * Background tasks do not run on timers here (a frozen environment would run them at random);
 * `createTaskHandler` runs them on a schedule instead.
 */
export function createHttpApiHandler(services: ServiceModule[], env = process.env): HttpApiHandler {
  let proxy: Promise<PromiseHandler<APIGatewayProxyEventV2>> | undefined;
  const start = async () => {
    const config = loadConfig(env);
    const app = await buildApp({
      logger: pino(loggerOptions(config.logLevel)),
      services,
      context: cloudContext(config, services),
      backgroundTasks: false,
      console: false,
    });
    await app.ready();
    return awsLambdaFastify<APIGatewayProxyEventV2>(app, { decorateRequest: false });
  };
  return async (event, context) => {
    proxy ??= start();
    return (await proxy)(correlated(event), context);
  };
}

/**
 * Links the app's logs to API Gateway's and X-Ray's: with no usable `X-Request-Id` from the caller,
 * API Gateway's own request id (the one in its access log) becomes the request id, echoed and logged;
 * the invocation's X-Ray trace header is passed on for every log line to carry.
 */
export function correlated(event: APIGatewayProxyEventV2, env = process.env): APIGatewayProxyEventV2 {
  const headers = { ...event.headers };
  const given = headers['x-request-id'];
  if (!(given && isAcceptableRequestId(given)) && event.requestContext?.requestId) {
    headers['x-request-id'] = event.requestContext.requestId;
  }
  const trace = env._X_AMZN_TRACE_ID;
  if (trace && !headers['x-amzn-trace-id']) headers['x-amzn-trace-id'] = trace;
  return { ...event, headers };
}

/** The service built once per execution environment, outside any HTTP app (tasks, workflow steps). */
function lazyInstance(service: ServiceModule, label: string, env: NodeJS.ProcessEnv) {
  let instance: ServiceInstance | undefined;
  return () => {
    if (!instance) {
      const config = loadConfig(env);
      const context = cloudContext(config, [service]);
      const log = pino(loggerOptions(config.logLevel)).child({ service: service.name, task: label });
      const resources = resolveResources(config.stage, service.name, service.resources);
      instance = service.create({ ...context, resources, log });
    }
    return instance;
  };
}

/** A service's background task as a Lambda, for an EventBridge schedule. */
export function createTaskHandler(
  service: ServiceModule,
  taskName: string,
  env = process.env,
): () => Promise<void> {
  const instance = lazyInstance(service, taskName, env);
  return async () => {
    const task = instance().tasks?.find((t) => t.name === taskName);
    if (!task) throw new Error(`${service.name} has no background task ${taskName}`);
    await task.run();
  };
}

/** One Task state of a service's workflow as a Lambda: Step Functions passes the state's input. */
export function createWorkflowTaskHandler(
  service: ServiceModule,
  taskName: string,
  env = process.env,
): WorkflowTask {
  const instance = lazyInstance(service, taskName, env);
  return async (input) => {
    const task = instance().workflowTasks?.[taskName];
    if (!task) throw new Error(`${service.name} has no workflow task ${taskName}`);
    return task(input);
  };
}

/**
 * S3 object-created notifications delivered through SQS, handed to a service's bucket handler. A
 * message whose handling fails is reported as a partial batch failure, so only it is retried (and
 * after its retries, goes to the dead-letter queue); S3's test event is acknowledged and skipped.
 */
export function createS3QueueHandler(service: ServiceModule, bucketId: string, env = process.env) {
  const instance = lazyInstance(service, `s3:${bucketId}`, env);
  return async (event: { Records: S3EventMessage[] }): Promise<BatchResult> => {
    const handle = instance().objectCreated?.[bucketId];
    if (!handle) throw new Error(`${service.name} has no handler for bucket ${bucketId}`);
    return handleS3EventBatch(event.Records, handle);
  };
}
