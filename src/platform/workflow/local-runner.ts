import './promise-with-resolvers.js';
import { randomUUID } from 'node:crypto';
import { ExecutionError, StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import type { Logger } from 'pino';
import type { Notifier } from '../notify/notifier.js';
import { RunHistory } from './run-history.js';
import { type SizeViolation, watchStateSizes } from './state-size-guard.js';
import type { RunDescription, WorkflowRunner, WorkflowTask } from './workflow-runner.js';

export interface LocalRunnerOptions {
  /** The same Amazon States Language definition Step Functions runs. */
  definition: object;
  /** Task states that call a function (Lambda on AWS), by state name. */
  tasks: Record<string, WorkflowTask>;
  /** Task states that publish to SNS (`arn:aws:states:::sns:publish`), by state name: sent to the Notifier. */
  publishStates: string[];
  notifier: Notifier;
  /** Wait states, and the pauses of Retry, shortened to this many milliseconds. */
  waitMs: number;
  /** Finished runs remembered (the oldest are forgotten). */
  keepFinished: number;
  clock: () => Date;
  log: Logger;
}

interface SnsPublishParameters {
  TopicArn: string;
  Subject?: string;
  Message: string;
  MessageAttributes?: Record<string, { DataType: string; StringValue: string }>;
}

interface StateNode {
  Type: string;
  Retry?: unknown[];
  ItemProcessor?: { States: Record<string, StateNode> };
}

/** The topic name is the ARN's last segment, as the SNS Notifier also reads it. */
const topicOf = (arn: string) => arn.slice(arn.lastIndexOf(':') + 1);

/** Every state of the definition, the Map's inner ones included, by name. */
function allStates(states: Record<string, StateNode>): [string, StateNode][] {
  return Object.entries(states).flatMap(([name, state]) => [
    [name, state] as [string, StateNode],
    ...allStates(state.ItemProcessor?.States ?? {}),
  ]);
}

function overridesFor(definition: object, waitMs: number) {
  const states = allStates((definition as { States: Record<string, StateNode> }).States);
  const named = (keep: (state: StateNode) => boolean) =>
    Object.fromEntries(states.filter(([, state]) => keep(state)).map(([name]) => [name, waitMs]));
  return {
    waitTimeOverrides: named((s) => s.Type === 'Wait'),
    retryIntervalOverrides: named((s) => !!s.Retry),
  };
}

function failureOf(failure: unknown): { error: string; cause: string } {
  const cause =
    failure instanceof ExecutionError ? (failure.cause as { name?: string; message?: string }) : undefined;
  return {
    error: cause?.name ?? (failure as Error).name,
    cause: cause?.message ?? (failure as Error).message,
  };
}

/**
 * Runs the state machine in this process with aws-local-stepfunctions. Like Step Functions, it
 * fails a run whose state passes 256 KiB; it remembers a bounded number of finished runs.
 */
export function localWorkflowRunner(options: LocalRunnerOptions): WorkflowRunner {
  const { definition, tasks, notifier, clock, log } = options;
  // Not validated here: asl-validator's check took about 300 ms of every `npm start` (issue 14, P6).
  // The pipeline's definition is checked once by a test (pipeline-definition.test.ts) and by Step
  // Functions when a stack creates the state machine.
  const machine = new StateMachine(definition as StateMachineDefinition, {
    validationOptions: { noValidate: true },
  });
  const history = new RunHistory(options.keepFinished);
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
  const overrides = { taskResourceLocalHandlers: handlers, ...overridesFor(definition, options.waitMs) };

  const finish = (run: RunDescription, largest: { state: string; bytes: number }) => {
    history.finished(run);
    const { runId, status, error } = run;
    const line = { event: 'workflow.finished', runId, status, ...(error && error), largestState: largest };
    if (status === 'FAILED') log.warn(line, 'workflow run failed');
    else log.info(line, 'workflow run finished');
  };

  return {
    async start(input) {
      const runId = randomUUID();
      const startedAt = clock().toISOString();
      history.started({ runId, status: 'RUNNING', startedAt });
      const execution = machine.run(input as never, {
        overrides,
        context: { Execution: { Id: runId, Name: runId, Input: input, StartTime: startedAt } } as never,
      });
      aborts.add(execution.abort);
      let violation: SizeViolation | undefined;
      const sizes = watchStateSizes(execution.eventLogs, (found) => {
        violation ??= found;
        execution.abort();
      });
      void Promise.allSettled([execution.result, sizes]).then(([result, largest]) => {
        aborts.delete(execution.abort);
        const stoppedAt = clock().toISOString();
        const measured = largest.status === 'fulfilled' ? largest.value : { state: '', bytes: 0 };
        if (violation) {
          const { error, cause } = violation;
          finish({ runId, status: 'FAILED', startedAt, stoppedAt, error: { error, cause } }, measured);
        } else if (result.status === 'fulfilled') {
          finish({ runId, status: 'SUCCEEDED', startedAt, stoppedAt, output: result.value }, measured);
        } else {
          finish(
            { runId, status: 'FAILED', startedAt, stoppedAt, error: failureOf(result.reason) },
            measured,
          );
        }
      });
      return { runId };
    },
    async describe(runId) {
      return history.get(runId);
    },
    async list(limit, cursor) {
      return history.page(limit, cursor);
    },
    async running(limit) {
      return history.running(limit);
    },
    async close() {
      for (const abort of aborts) abort();
      await Promise.allSettled([...inFlight]);
    },
  };
}
