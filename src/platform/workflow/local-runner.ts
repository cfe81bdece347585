import './promise-with-resolvers.js';
import { randomUUID } from 'node:crypto';
import { ExecutionError, StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import type { Logger } from 'pino';
import type { Notifier } from '../notify/notifier.js';
import type { RunDescription, WorkflowRunner, WorkflowTask } from './workflow-runner.js';

export interface LocalRunnerOptions {
  /** The same Amazon States Language definition Step Functions runs. */
  definition: object;
  /** Task states that call a function (Lambda on AWS), by state name. */
  tasks: Record<string, WorkflowTask>;
  /** Task states that publish to SNS (`arn:aws:states:::sns:publish`), by state name: sent to the Notifier. */
  publishStates: string[];
  notifier: Notifier;
  /** Wait states shortened to this many milliseconds. */
  waitMs: number;
  clock: () => Date;
  log: Logger;
}

interface SnsPublishParameters {
  TopicArn: string;
  Subject?: string;
  Message: string;
  MessageAttributes?: Record<string, { DataType: string; StringValue: string }>;
}

/** The topic name is the ARN's last segment, as the SNS Notifier also reads it. */
const topicOf = (arn: string) => arn.slice(arn.lastIndexOf(':') + 1);

/** Runs the state machine in this process with aws-local-stepfunctions; keeps runs in memory. */
export function localWorkflowRunner(options: LocalRunnerOptions): WorkflowRunner {
  const { definition, tasks, notifier, clock, log } = options;
  const machine = new StateMachine(definition as StateMachineDefinition);
  const runs = new Map<string, RunDescription>();
  const aborts = new Set<() => void>();

  const publish = async (input: unknown) => {
    const { TopicArn, Subject, Message, MessageAttributes = {} } = input as SnsPublishParameters;
    const attributes = Object.fromEntries(
      Object.entries(MessageAttributes).map(([k, v]) => [k, v.StringValue]),
    );
    const { messageId } = await notifier.publish({
      topic: topicOf(TopicArn),
      subject: Subject,
      message: Message,
      attributes,
    });
    return { MessageId: messageId };
  };
  // Aborting a run does not stop a task already running (a DynamoDB call, say): close() waits for them.
  const inFlight = new Set<Promise<unknown>>();
  const tracked = (task: WorkflowTask) => (input: unknown) => {
    const running = task(input);
    inFlight.add(running);
    running.then(
      () => inFlight.delete(running),
      () => inFlight.delete(running),
    );
    return running;
  };
  const handlers = Object.fromEntries(
    [...Object.entries(tasks), ...options.publishStates.map((state) => [state, publish] as const)].map(
      ([state, task]) => [state, tracked(task)],
    ),
  ) as unknown as Record<string, (input: unknown) => Promise<never>>;
  const waits = Object.fromEntries(
    Object.entries((definition as { States: Record<string, { Type: string }> }).States)
      .filter(([, state]) => state.Type === 'Wait')
      .map(([name]) => [name, options.waitMs]),
  );

  return {
    async start(input) {
      const runId = randomUUID();
      const startedAt = clock().toISOString();
      runs.set(runId, { runId, status: 'RUNNING', startedAt });
      const execution = machine.run(input as never, {
        overrides: { taskResourceLocalHandlers: handlers, waitTimeOverrides: waits },
        context: { Execution: { Id: runId, Name: runId, Input: input, StartTime: startedAt } } as never,
      });
      aborts.add(execution.abort);
      execution.result
        .then((output) =>
          runs.set(runId, {
            runId,
            status: 'SUCCEEDED',
            startedAt,
            stoppedAt: clock().toISOString(),
            output,
          }),
        )
        .catch((failure: unknown) => {
          const cause =
            failure instanceof ExecutionError
              ? (failure.cause as { name?: string; message?: string })
              : undefined;
          const error = {
            error: cause?.name ?? (failure as Error).name,
            cause: cause?.message ?? (failure as Error).message,
          };
          runs.set(runId, { runId, status: 'FAILED', startedAt, stoppedAt: clock().toISOString(), error });
          log.warn({ event: 'workflow.failed', runId, ...error }, 'workflow run failed');
        })
        .finally(() => aborts.delete(execution.abort));
      return { runId };
    },
    async describe(runId) {
      return runs.get(runId);
    },
    async close() {
      for (const abort of aborts) abort();
      await Promise.allSettled([...inFlight]);
    },
  };
}
