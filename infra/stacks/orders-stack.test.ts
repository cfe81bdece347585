import { App, type Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { pipelineDefinition } from '../../src/services/orders/pipeline-definition.js';
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
      'FetchResultsArn',
      'NotificationsTopicArn',
      'ProcessOrderArn',
    ]);
  });

  it('loops FetchResults → Choice → Wait 30 s until results are ready or attempts run out', () => {
    expect(asl.States.FetchResults.Resource).toBe(pipelinePlaceholders.fetchResults);
    expect(asl.States.ResultsReady).toMatchObject({
      Type: 'Choice',
      Choices: [
        { Variable: '$.fetched.results', BooleanEquals: true, Next: 'ProcessOrders' },
        { Variable: '$.attempt', NumericGreaterThanEqualsPath: '$.maxAttempts', Next: 'NotifyGaveUp' },
      ],
      Default: 'WaitForResults',
    });
    expect(asl.States.WaitForResults).toEqual({ Type: 'Wait', Seconds: 30, Next: 'FetchResults' });
  });

  it('maps over the orders with bounded concurrency and catches rejections to SNS', () => {
    const map = asl.States.ProcessOrders;
    expect(map).toMatchObject({ Type: 'Map', ItemsPath: '$.fetched.orders', MaxConcurrency: 10 });
    const steps = map.ItemProcessor.States;
    expect(steps.ProcessOrder.Catch).toEqual([
      { ErrorEquals: ['OrderRejected'], ResultPath: '$.error', Next: 'NotifyRejected' },
    ]);
    expect(steps.NotifyRejected).toMatchObject({
      Type: 'Task',
      Resource: 'arn:aws:states:::sns:publish',
      Parameters: { TopicArn: pipelinePlaceholders.notificationsTopic },
    });
  });

  it('notifies on any other failure and on giving up', () => {
    for (const state of ['FetchResults', 'ProcessOrders']) {
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

  it('alarms on failed and timed-out runs', () => {
    for (const metric of ['ExecutionsFailed', 'ExecutionsTimedOut']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: metric,
        Namespace: 'AWS/States',
      });
    }
  });

  it('encrypts the notifications topic', () => {
    template.hasResourceProperties('AWS::SNS::Topic', {
      TopicName: 'skiff-dev-orders-notifications',
      KmsMasterKeyId: Match.anyValue(),
    });
  });
});
