import { App, type Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { physicalName } from '../../src/platform/resources.js';
import { greetingsResources } from '../../src/services/greetings/resources.js';
import { buildApp } from '../app.js';

const synthesize = (stage: string) => {
  const app = buildApp(new App({ context: { stage } }));
  const stack = app.node.findChild(`skiff-${stage}-greetings`) as Stack;
  return { app, template: Template.fromStack(stack) };
};

describe('greetings stack (dev)', () => {
  let template: Template;
  beforeAll(() => {
    template = synthesize('dev').template;
  });

  it('builds the birthdays table from the catalog: key, on-demand, encrypted, PITR', () => {
    template.resourceCountIs('AWS::DynamoDB::GlobalTable', 1);
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      TableName: physicalName('dev', 'greetings', 'birthdays'),
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: greetingsResources.tables.birthdays.partitionKey.name, KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'username', AttributeType: 'S' }],
      SSESpecification: { SSEEnabled: true },
      Replicas: [
        Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }),
      ],
    });
  });

  it('deletes dev data with the stack', () => {
    template.hasResource('AWS::DynamoDB::GlobalTable', { DeletionPolicy: 'Delete' });
  });

  it('runs the function on arm64 Node.js with JSON logs and the stage it reads names from', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Architectures: ['arm64'],
      Runtime: 'nodejs24.x',
      Handler: 'index.handler',
      LoggingConfig: Match.objectLike({ LogFormat: 'JSON' }),
      Environment: { Variables: Match.objectLike({ SKIFF_STAGE: 'dev', SERVICES: 'greetings' }) },
    });
  });

  it('ships no source map, so Node is not asked to load one', () => {
    const functions = Object.values(template.findResources('AWS::Lambda::Function'));
    for (const f of functions)
      expect(f.Properties.Environment?.Variables ?? {}).not.toHaveProperty('NODE_OPTIONS');
  });

  it('keeps logs for a week in dev', () => {
    const groups = template.findResources('AWS::Logs::LogGroup');
    expect(Object.values(groups).map((g) => g.Properties.RetentionInDays)).toEqual([7, 7]);
  });

  it('grants the function exactly the table calls it makes, on that table only', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DescribeTable'],
            Effect: 'Allow',
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^BirthdaysTable'), 'Arn'] },
          },
        ]),
      },
    });
    template.resourcePropertiesCountIs('AWS::IAM::Role', { ManagedPolicyArns: Match.anyValue() }, 0);
  });

  it('fronts the function with an HTTP API that logs access and throttles', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Api', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', { ProtocolType: 'HTTP' });
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      AccessLogSettings: Match.objectLike({ DestinationArn: Match.anyValue() }),
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: '$default' });
    // The access log names no caller: no IP, no user.
    const stages = template.findResources('AWS::ApiGatewayV2::Stage');
    const format = String(Object.values(stages)[0]?.Properties.AccessLogSettings.Format);
    expect(format).toContain('$context.requestId');
    expect(format).not.toMatch(/sourceIp|\$context\.identity/);
  });
});

describe('greetings alarms', () => {
  it('alarms on API 5xx, function errors and throttles', () => {
    const { template } = synthesize('dev');
    for (const metric of ['5xx', 'Errors', 'Throttles']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: metric,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
      });
    }
  });
});

describe('greetings stack (prod)', () => {
  it('retains data, protects the table from deletion and keeps logs a year', () => {
    const { template } = synthesize('prod');
    template.hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        TableName: 'skiff-prod-greetings-birthdays',
        Replicas: [Match.objectLike({ DeletionProtectionEnabled: true })],
      }),
    });
    const groups = template.findResources('AWS::Logs::LogGroup');
    expect(Object.values(groups).map((g) => g.Properties.RetentionInDays)).toEqual([365, 365]);
  });
});
