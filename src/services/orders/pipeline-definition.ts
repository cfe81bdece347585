/**
 * The auction results pipeline in Amazon States Language: one definition for Step Functions (the
 * CDK fills in the ARNs) and for the local runner (which overrides the Task states by name).
 *
 *   FetchResults → CountAttempt → ResultsReady? ─ yes, or attempts used up → DeliverOrders (Map over
 *        ↑                              │           batch numbers: DeliverBatch, or BatchLeft) → SummarizeRun
 *        └──── WaitForResults ←── no ───┘           → AllDelivered? ─ all delivered → Done
 *                                                         ├ orders left → NotifyOrdersLeft → OrdersLeft (fail)
 *                                                         └ no results → NotifyGaveUp → ResultsNotReady (fail)
 *   Any other failure → NotifyFailure → PipelineFailed (fail)
 *
 * Every state stays a few kilobytes whatever the orders hold: FetchResults stores the run's order ids
 * in batches of 50 (the runs table) and the Map carries only batch numbers; DeliverBatch reads its
 * batch; the Map keeps no results (`ResultPath: null`); SummarizeRun counts from the orders table.
 * One Map iteration per 50 orders also keeps a 1000-order run's history near 200 events, far from
 * Step Functions' 25,000.
 */

export const pipelineStates = {
  fetch: 'FetchResults',
  deliverBatch: 'DeliverBatch',
  summarize: 'SummarizeRun',
  notifyOrdersLeft: 'NotifyOrdersLeft',
  notifyGaveUp: 'NotifyGaveUp',
  notifyFailure: 'NotifyFailure',
  wait: 'WaitForResults',
} as const;

export interface PipelineArns {
  fetchResults: string;
  deliverBatch: string;
  summarizeRun: string;
  notificationsTopic: string;
}

export interface PipelineInput {
  attempt: number;
  maxAttempts: number;
}

/** Lambda's own passing faults (throttled, service errors, an environment that crashed). */
const lambdaFaults = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
  'Lambda.Unknown',
];

const backoff = { IntervalSeconds: 2, BackoffRate: 2, MaxDelaySeconds: 60, JitterStrategy: 'FULL' };

export const lambdaRetry = [{ ErrorEquals: lambdaFaults, MaxAttempts: 3, ...backoff }];

/**
 * DeliverBatch: orders that met throttling or a 5xx from S3 or SNS are tried again with backoff (the
 * batch again: settled orders are skipped). After the last try, the Catch leaves them pending.
 */
export const deliveryRetry = [
  { ErrorEquals: ['DeliveryRetryable'], MaxAttempts: 4, ...backoff },
  { ErrorEquals: [...lambdaFaults, 'States.Timeout'], MaxAttempts: 3, ...backoff },
];

/** SNS publish tasks: throttling and 5xx arrive as task failures. */
export const publishRetry = [
  { ErrorEquals: ['States.TaskFailed', 'States.Timeout'], MaxAttempts: 3, ...backoff },
];

const publish = (topicArn: string, subject: string, message: string, next: string) => ({
  Type: 'Task',
  Resource: 'arn:aws:states:::sns:publish',
  Parameters: { TopicArn: topicArn, Subject: subject, 'Message.$': message },
  ResultPath: null,
  Retry: publishRetry,
  Next: next,
});

const failTo = { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: pipelineStates.notifyFailure };

/** Each Lambda task is cut off a little after its function's own timeout. */
const taskTimeoutSeconds = { fetch: 90, deliverBatch: 330, summarize: 90 };

function deliverOrders(arns: PipelineArns, maxConcurrency: number) {
  return {
    Type: 'Map',
    ItemsPath: '$.fetched.batches',
    MaxConcurrency: maxConcurrency,
    ItemSelector: { 'runId.$': '$$.Execution.Name', 'batch.$': '$$.Map.Item.Value' },
    ItemProcessor: {
      ProcessorConfig: { Mode: 'INLINE' },
      StartAt: pipelineStates.deliverBatch,
      States: {
        [pipelineStates.deliverBatch]: {
          Type: 'Task',
          Resource: arns.deliverBatch,
          TimeoutSeconds: taskTimeoutSeconds.deliverBatch,
          Retry: deliveryRetry,
          // What is still undelivered stays pending for the next run; SummarizeRun counts it.
          Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'BatchLeft' }],
          End: true,
        },
        BatchLeft: {
          Type: 'Pass',
          Parameters: { 'batch.$': '$.batch', 'error.$': '$.error.Error' },
          End: true,
        },
      },
    },
    ResultPath: null,
    Catch: [failTo],
    Next: pipelineStates.summarize,
  };
}

export function pipelineDefinition(arns: PipelineArns, { waitSeconds = 30, maxConcurrency = 4 } = {}) {
  return {
    Comment:
      'Orders: poll the auction platform until results are ready, then deliver each decided order (accepted to S3, rejected to SNS) and settle it only once delivered',
    StartAt: pipelineStates.fetch,
    States: {
      [pipelineStates.fetch]: {
        Type: 'Task',
        Resource: arns.fetchResults,
        Parameters: {
          'attempt.$': '$.attempt',
          'maxAttempts.$': '$.maxAttempts',
          'runId.$': '$$.Execution.Name',
        },
        ResultPath: '$.fetched',
        TimeoutSeconds: taskTimeoutSeconds.fetch,
        Retry: lambdaRetry,
        Catch: [failTo],
        Next: 'CountAttempt',
      },
      CountAttempt: {
        Type: 'Pass',
        Parameters: {
          'attempt.$': 'States.MathAdd($.attempt, 1)',
          'maxAttempts.$': '$.maxAttempts',
          'fetched.$': '$.fetched',
        },
        Next: 'ResultsReady',
      },
      ResultsReady: {
        Type: 'Choice',
        Choices: [
          { Variable: '$.fetched.results', BooleanEquals: true, Next: 'DeliverOrders' },
          // The last attempt: deliver what earlier runs decided, then give up (AllDelivered).
          { Variable: '$.attempt', NumericGreaterThanEqualsPath: '$.maxAttempts', Next: 'DeliverOrders' },
        ],
        Default: pipelineStates.wait,
      },
      [pipelineStates.wait]: { Type: 'Wait', Seconds: waitSeconds, Next: pipelineStates.fetch },
      DeliverOrders: deliverOrders(arns, maxConcurrency),
      [pipelineStates.summarize]: {
        Type: 'Task',
        Resource: arns.summarizeRun,
        Parameters: { 'runId.$': '$$.Execution.Name', 'seed.$': '$.fetched.seed' },
        ResultPath: '$.summary',
        TimeoutSeconds: taskTimeoutSeconds.summarize,
        Retry: lambdaRetry,
        Catch: [failTo],
        Next: 'AllDelivered',
      },
      AllDelivered: {
        Type: 'Choice',
        Choices: [
          { Variable: '$.fetched.results', BooleanEquals: false, Next: pipelineStates.notifyGaveUp },
          { Variable: '$.summary.left', NumericGreaterThan: 0, Next: pipelineStates.notifyOrdersLeft },
        ],
        Default: 'Done',
      },
      // A Pass, not a Succeed: cfn-lint's schema refuses OutputPath on Succeed.
      Done: { Type: 'Pass', OutputPath: '$.summary', End: true },
      [pipelineStates.notifyOrdersLeft]: publish(
        arns.notificationsTopic,
        'Auction orders left for the next run',
        "States.Format('Run {}: {} of {} orders could not be delivered and are left for the next run. Faults: {}', $.summary.runId, $.summary.left, $.summary.orders, States.JsonToString($.summary.faults))",
        'OrdersLeft',
      ),
      OrdersLeft: {
        Type: 'Fail',
        Error: 'OrdersLeft',
        Cause: 'Some orders could not be delivered; they stay pending for the next run (see the notice).',
      },
      [pipelineStates.notifyGaveUp]: publish(
        arns.notificationsTopic,
        'Auction results not ready',
        "States.Format('The auction platform had no results after {} attempts. Orders decided by earlier runs: {} delivered, {} left for the next run.', $.attempt, $.summary.settled, $.summary.left)",
        'ResultsNotReady',
      ),
      ResultsNotReady: {
        Type: 'Fail',
        Error: 'ResultsNotReady',
        Cause: 'The auction platform had no results within the attempt limit.',
      },
      [pipelineStates.notifyFailure]: publish(
        arns.notificationsTopic,
        'Orders pipeline failed',
        "States.Format('The orders pipeline failed: {}', States.JsonToString($.error))",
        'PipelineFailed',
      ),
      PipelineFailed: {
        Type: 'Fail',
        Error: 'PipelineFailed',
        Cause: 'A pipeline step failed; see the notification.',
      },
    },
  };
}
