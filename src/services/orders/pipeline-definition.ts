/**
 * The auction results pipeline in Amazon States Language: one definition for Step Functions (the
 * CDK fills in the ARNs) and for the local runner (which overrides the Task states by name).
 *
 *   FetchResults → CountAttempt → ResultsReady? ─ yes → ProcessOrders (Map: ProcessOrder, or
 *        ↑                              │              NotifyRejected → Rejected) → Done
 *        └──── WaitForResults ←── no ───┤
 *                                       └ attempts used up → NotifyGaveUp → ResultsNotReady (fail)
 *   Any other failure → NotifyFailure → PipelineFailed (fail)
 */

export const pipelineStates = {
  fetch: 'FetchResults',
  process: 'ProcessOrder',
  notifyRejected: 'NotifyRejected',
  notifyGaveUp: 'NotifyGaveUp',
  notifyFailure: 'NotifyFailure',
  wait: 'WaitForResults',
} as const;

export interface PipelineArns {
  fetchResults: string;
  processOrder: string;
  notificationsTopic: string;
}

export interface PipelineInput {
  attempt: number;
  maxAttempts: number;
}

const lambdaRetry = [
  {
    ErrorEquals: [
      'Lambda.ServiceException',
      'Lambda.AWSLambdaException',
      'Lambda.SdkClientException',
      'Lambda.TooManyRequestsException',
    ],
    IntervalSeconds: 2,
    MaxAttempts: 3,
    BackoffRate: 2,
  },
];

const publish = (topicArn: string, subject: string, message: string, next: string, attributes = {}) => ({
  Type: 'Task',
  Resource: 'arn:aws:states:::sns:publish',
  Parameters: {
    TopicArn: topicArn,
    Subject: subject,
    'Message.$': message,
    ...(Object.keys(attributes).length > 0 && { MessageAttributes: attributes }),
  },
  ResultPath: null,
  Next: next,
});

const failTo = { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: pipelineStates.notifyFailure };

export function pipelineDefinition(arns: PipelineArns, { waitSeconds = 30, maxConcurrency = 10 } = {}) {
  return {
    Comment:
      'Orders: poll the auction platform until results are ready, store accepted results, alert on rejected ones',
    StartAt: pipelineStates.fetch,
    States: {
      [pipelineStates.fetch]: {
        Type: 'Task',
        Resource: arns.fetchResults,
        ResultPath: '$.fetched',
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
          { Variable: '$.fetched.results', BooleanEquals: true, Next: 'ProcessOrders' },
          {
            Variable: '$.attempt',
            NumericGreaterThanEqualsPath: '$.maxAttempts',
            Next: pipelineStates.notifyGaveUp,
          },
        ],
        Default: pipelineStates.wait,
      },
      [pipelineStates.wait]: { Type: 'Wait', Seconds: waitSeconds, Next: pipelineStates.fetch },
      ProcessOrders: {
        Type: 'Map',
        ItemsPath: '$.fetched.orders',
        MaxConcurrency: maxConcurrency,
        ItemSelector: { 'order.$': '$$.Map.Item.Value', 'runStartedAt.$': '$$.Execution.StartTime' },
        ItemProcessor: {
          ProcessorConfig: { Mode: 'INLINE' },
          StartAt: pipelineStates.process,
          States: {
            [pipelineStates.process]: {
              Type: 'Task',
              Resource: arns.processOrder,
              Retry: lambdaRetry,
              Catch: [
                {
                  ErrorEquals: ['OrderRejected'],
                  ResultPath: '$.error',
                  Next: pipelineStates.notifyRejected,
                },
              ],
              End: true,
            },
            [pipelineStates.notifyRejected]: publish(
              arns.notificationsTopic,
              'Auction order rejected',
              "States.Format('Order {} was rejected by the auction platform.', $.order.record_id)",
              'Rejected',
              // Lets a subscriber filter or route by order.
              { record_id: { DataType: 'String', 'StringValue.$': '$.order.record_id' } },
            ),
            Rejected: {
              Type: 'Pass',
              Parameters: { 'record_id.$': '$.order.record_id', outcome: 'rejected' },
              End: true,
            },
          },
        },
        ResultPath: '$.processed',
        Catch: [failTo],
        Next: 'Done',
      },
      Done: { Type: 'Succeed' },
      [pipelineStates.notifyGaveUp]: publish(
        arns.notificationsTopic,
        'Auction results not ready',
        "States.Format('The auction platform had no results after {} attempts.', $.attempt)",
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

/** What a finished run's output says: accepted and rejected counts. */
export function countOutcomes(output: unknown): { accepted: number; rejected: number } {
  const processed = ((output as { processed?: { outcome?: string }[] } | undefined)?.processed ?? []) as {
    outcome?: string;
  }[];
  const rejected = processed.filter((p) => p.outcome === 'rejected').length;
  return { accepted: processed.length - rejected, rejected };
}
