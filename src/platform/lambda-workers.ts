/**
 * Lambda entries for a service's work outside HTTP: scheduled tasks, workflow Task states and S3
 * notifications through SQS. Apart from the HTTP entry (`lambda-http.ts`), so a worker's bundle
 * holds no Fastify.
 */
import { type Logger, pino } from 'pino';
import { worstCaseCallMs } from './aws/clients.js';
import { cloudContext } from './cloud-context.js';
import { type Config, loadConfig } from './config.js';
import { loggerOptions } from './log.js';
import { resolveResources } from './resources.js';
import { type BatchResult, handleS3EventBatch, type S3EventMessage } from './s3-event-messages.js';
import type { ServiceInstance, ServiceModule } from './service.js';
import type { WorkflowTask } from './workflow/workflow-runner.js';

/** The service built once per execution environment, outside any HTTP app (tasks, workflow steps). */
function lazyInstance(service: ServiceModule, label: string, env: NodeJS.ProcessEnv) {
  let built: { instance: ServiceInstance; log: Logger; config: Config } | undefined;
  return () => {
    if (!built) {
      const config = loadConfig(env);
      const log = pino(loggerOptions(config.logLevel)).child({ service: service.name, task: label });
      const context = cloudContext(config, log, [service]);
      const resources = resolveResources(config.stage, service.name, service.resources);
      built = { instance: service.create({ ...context, resources, log }), log, config };
    }
    return built;
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
    const task = instance().instance.tasks?.find((t) => t.name === taskName);
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
    const task = instance().instance.workflowTasks?.[taskName];
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
  return async (event: { Records: S3EventMessage[] }, context?: InvocationTime): Promise<BatchResult> => {
    const { instance: built, log, config } = instance();
    const handle = built.objectCreated?.[bucketId];
    if (!handle) throw new Error(`${service.name} has no handler for bucket ${bucketId}`);
    const stopBy = context && stopBeforeTimeout(context, config);
    return handleS3EventBatch(event.Records, handle, log, { stopBy });
  };
}

/** What a Lambda handler's context says of the time left; absent when a test calls the handler. */
interface InvocationTime {
  getRemainingTimeInMillis(): number;
}

/**
 * Aborts when no more than the time to let go is left: the calls in flight, then the writes that put
 * work back (each call at worst `worstCaseCallMs`), three of them. A handler stopped then leaves its
 * work queued for a later try; one cut off by the timeout would leave it half-done, and hold up the
 * other messages of its batch until their visibility timeout.
 */
function stopBeforeTimeout(context: InvocationTime, config: Config): AbortSignal {
  const margin = 3 * worstCaseCallMs(config.awsTimeouts);
  return AbortSignal.timeout(Math.max(0, context.getRemainingTimeInMillis() - margin));
}
