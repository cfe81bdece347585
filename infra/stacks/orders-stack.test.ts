import { App, type Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  deliveryRetry,
  lambdaRetry,
  pipelineDefinition,
  publishRetry,
} from '../../src/services/orders/pipeline-definition.js';
import { buildApp } from '../app.js';
import { pipelinePlaceholders } from './orders-stack.js';

let template: Template;
// biome-ignore lint/suspicious/noExplicitAny: the synthesized ASL is checked field by field below.
let asl: any;

beforeAll(() => {
  const app = buildApp(new App({ context: { stage: 'dev', ordersMaxAttempts: '7' } }));
  template = Template.fromStack(app.node.findChild('skiff-dev-orders') as Stack);
  const [machine] = Object.values(template.findResources('AWS::StepFunctions::StateMachine'));
  asl = JSON.parse(machine?.Properties.DefinitionString);
});

describe('orders stack', () => {
  it('keeps orders for 24 hours with TTL on `ttl`', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      TableName: 'skiff-dev-orders-orders',
      TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
      GlobalSecondaryIndexes: [Match.objectLike({ IndexName: 'pendingOrders' })],
    });
  });

  it('stores results in a private, encrypted, TLS-only bucket with a lifecycle', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: 'skiff-dev-orders-results',
      PublicAccessBlockConfiguration: Match.objectLike({
        BlockPublicAcls: true,
        RestrictPublicBuckets: true,
      }),
      LifecycleConfiguration: { Rules: Match.arrayWith([Match.objectLike({ ExpirationInDays: 365 })]) },
    });
  });

  it('runs the very ASL the local runner runs (one shared source)', () => {
    expect(asl).toEqual(pipelineDefinition(pipelinePlaceholders));
    const [machine] = Object.values(template.findResources('AWS::StepFunctions::StateMachine'));
    expect(Object.keys(machine?.Properties.DefinitionSubstitutions).sort()).toEqual([
      'DeliverBatchArn',
      'FetchResultsArn',
      'NotificationsTopicArn',
      'SummarizeRunArn',
    ]);
  });

  it('loops FetchResults → Choice → Wait 30 s until results are ready or attempts run out', () => {
    expect(asl.States.FetchResults.Resource).toBe(pipelinePlaceholders.fetchResults);
    expect(asl.States.ResultsReady).toMatchObject({
      Type: 'Choice',
      Choices: [
        { Variable: '$.fetched.results', BooleanEquals: true, Next: 'DeliverOrders' },
        { Variable: '$.attempt', NumericGreaterThanEqualsPath: '$.maxAttempts', Next: 'DeliverOrders' },
      ],
      Default: 'WaitForResults',
    });
    expect(asl.States.WaitForResults).toEqual({ Type: 'Wait', Seconds: 30, Next: 'FetchResults' });
  });

  it('maps over batch numbers, never orders, and keeps no results in the state', () => {
    const map = asl.States.DeliverOrders;
    expect(map).toMatchObject({
      Type: 'Map',
      ItemsPath: '$.fetched.batches',
      ItemSelector: { 'runId.$': '$$.Execution.Name', 'batch.$': '$$.Map.Item.Value' },
      MaxConcurrency: 4,
      ResultPath: null,
      Next: 'SummarizeRun',
    });
    expect(map.ItemProcessor.States.DeliverBatch.Resource).toBe(pipelinePlaceholders.deliverBatch);
  });

  it('retries deliveries with backoff on passing faults and leaves what still fails to the next run', () => {
    const deliver = asl.States.DeliverOrders.ItemProcessor.States.DeliverBatch;
    expect(deliver.Retry).toEqual([
      {
        ErrorEquals: ['DeliveryRetryable'],
        IntervalSeconds: 2,
        BackoffRate: 2,
        MaxDelaySeconds: 60,
        JitterStrategy: 'FULL',
        MaxAttempts: 4,
      },
      expect.objectContaining({
        ErrorEquals: expect.arrayContaining(['Lambda.TooManyRequestsException', 'States.Timeout']),
      }),
    ]);
    expect(deliver.Retry).toEqual(deliveryRetry);
    expect(deliver.Catch).toEqual([
      { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'BatchLeft' },
    ]);
    expect(asl.States.DeliverOrders.ItemProcessor.States.BatchLeft).toMatchObject({
      Type: 'Pass',
      End: true,
    });
    for (const state of ['FetchResults', 'SummarizeRun'])
      expect(asl.States[state].Retry).toEqual(lambdaRetry);
  });

  it('retries every SNS publish with backoff', () => {
    for (const state of ['NotifyOrdersLeft', 'NotifyGaveUp', 'NotifyFailure']) {
      expect(asl.States[state]).toMatchObject({
        Resource: 'arn:aws:states:::sns:publish',
        Retry: publishRetry,
      });
    }
    expect(publishRetry).toEqual([
      expect.objectContaining({
        ErrorEquals: ['States.TaskFailed', 'States.Timeout'],
        BackoffRate: 2,
        MaxAttempts: 3,
      }),
    ]);
  });

  it('fails a run that left orders undelivered, after notifying', () => {
    expect(asl.States.AllDelivered).toEqual({
      Type: 'Choice',
      Choices: [
        { Variable: '$.fetched.results', BooleanEquals: false, Next: 'NotifyGaveUp' },
        { Variable: '$.summary.left', NumericGreaterThan: 0, Next: 'NotifyOrdersLeft' },
      ],
      Default: 'Done',
    });
    expect(asl.States.NotifyOrdersLeft.Next).toBe('OrdersLeft');
    expect(asl.States.OrdersLeft).toMatchObject({ Type: 'Fail', Error: 'OrdersLeft' });
    expect(asl.States.Done).toEqual({ Type: 'Pass', OutputPath: '$.summary', End: true });
  });

  it('notifies on any other failure and on giving up', () => {
    for (const state of ['FetchResults', 'DeliverOrders', 'SummarizeRun']) {
      expect(asl.States[state].Catch).toContainEqual({
        ErrorEquals: ['States.ALL'],
        ResultPath: '$.error',
        Next: 'NotifyFailure',
      });
    }
    expect(asl.States.NotifyFailure.Next).toBe('PipelineFailed');
    expect(asl.States.NotifyGaveUp.Next).toBe('ResultsNotReady');
  });

  it('logs and traces the state machine', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      LoggingConfiguration: Match.objectLike({ Level: 'ALL' }),
      TracingConfiguration: { Enabled: true },
    });
  });

  it('starts a run every hour with the configured attempt limit', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(1 hour)',
      Target: Match.objectLike({ Input: JSON.stringify({ attempt: 0, maxAttempts: 7 }) }),
    });
  });

  it('alarms on failed and timed-out runs, and on orders left undelivered', () => {
    for (const metric of ['ExecutionsFailed', 'ExecutionsTimedOut']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: metric,
        Namespace: 'AWS/States',
      });
    }
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'OrdersLeft',
      Namespace: 'skiff',
      Dimensions: [{ Name: 'service', Value: 'orders' }],
      Statistic: 'Sum',
      Threshold: 1,
    });
  });

  it('keeps run batches and summaries in their own table, expiring', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      TableName: 'skiff-dev-orders-runs',
      KeySchema: [
        { AttributeName: 'runId', KeyType: 'HASH' },
        { AttributeName: 'part', KeyType: 'RANGE' },
      ],
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
  });

  it('gives the delivering function exactly PutObject under results/ and publish on the topic', () => {
    const policies = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p).includes('DeliverBatch'))
      .flatMap((p) => p.Properties.PolicyDocument.Statement as { Action: string | string[] }[]);
    const actions = policies.flatMap((statement) => [statement.Action].flat()).sort();
    expect(actions).toEqual(
      expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:UpdateItem', 's3:PutObject', 'sns:Publish']),
    );
    expect(actions.filter((a) => a.startsWith('s3:'))).toEqual(['s3:PutObject']);
  });

  it('tells only the delivering function the topic: the API and the other tasks publish nothing', () => {
    const told = Object.values(template.findResources('AWS::Lambda::Function'))
      .filter((f) => f.Properties.Environment?.Variables?.SKIFF_SNS_TOPIC_ARNS)
      .map((f) => f.Properties.Description);
    expect(told).toEqual([expect.stringMatching(/^skiff orders DeliverBatch/)]);
  });

  it('encrypts the notifications topic', () => {
    template.hasResourceProperties('AWS::SNS::Topic', {
      TopicName: 'skiff-dev-orders-notifications',
      KmsMasterKeyId: Match.anyValue(),
    });
  });
});
