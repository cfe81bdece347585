import { App, type Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { physicalName } from '../../src/platform/resources.js';
import { buildApp } from '../app.js';
import { idempotencyAnswerMarginMs } from './donations-stack.js';

const synthesize = (context: Record<string, string>) => {
  const app = buildApp(new App({ context: { stage: 'dev', ...context } }));
  return Template.fromStack(app.node.findChild(`skiff-${context.stage ?? 'dev'}-donations`) as Stack);
};

describe('donations stack', () => {
  let template: Template;
  beforeAll(() => {
    template = synthesize({});
  });

  it('builds the ledger table from the catalog, with the sparse index and TTL', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      TableName: physicalName('dev', 'donations', 'ledger'),
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        Match.objectLike({
          IndexName: 'pendingThankYous',
          KeySchema: [
            { AttributeName: 'thankYouPending', KeyType: 'HASH' },
            { AttributeName: 'donorId', KeyType: 'RANGE' },
          ],
        }),
      ],
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      SSESpecification: { SSEEnabled: true },
    });
  });

  it('encrypts the thank-you topic with a rotating customer key and refuses plain HTTP', () => {
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.hasResourceProperties('AWS::SNS::Topic', {
      TopicName: 'skiff-dev-donations-thank-you',
      KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ThankYouKey'), 'Arn'] },
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    template.resourceCountIs('AWS::SNS::Subscription', 0);
  });

  it("has a repeat's idempotency wait end well before the HTTP function's timeout, so it can answer 409", () => {
    const [http] = Object.values(template.findResources('AWS::Lambda::Function')).filter((f) =>
      String(f.Properties.Description).startsWith('skiff donations HTTP API'),
    );
    const waitMs = Number(http?.Properties.Environment.Variables.SKIFF_IDEMPOTENCY_WAIT_MS);
    const timeoutMs = Number(http?.Properties.Timeout) * 1000;
    expect(waitMs).toBeGreaterThan(0);
    expect(waitMs + idempotencyAnswerMarginMs).toBeLessThanOrEqual(timeoutMs);
    expect(timeoutMs - waitMs).toBeGreaterThanOrEqual(3000);
  });

  it('tells both functions the topic ARN and grants them only what they call', () => {
    const functions = template.findResources('AWS::Lambda::Function');
    const descriptions = Object.values(functions)
      .map((f) => f.Properties.Description)
      .sort();
    expect(descriptions).toEqual(['skiff donations HTTP API (dev)', 'skiff donations thank-you sweep (dev)']);
    for (const fn of Object.values(functions)) {
      expect(fn.Properties.Environment.Variables.SKIFF_SNS_TOPIC_ARNS).toEqual({
        Ref: expect.stringMatching(/^ThankYouTopic/),
      });
    }
    const all = Object.entries(template.findResources('AWS::IAM::Policy'));
    // The functions' own roles; CodeDeploy's release roles are checked below.
    const policies = all.filter(([id]) => !id.includes('ReleaseRole')).map(([, policy]) => policy);
    expect(policies).toHaveLength(2);
    const release = all.filter(([id]) => id.includes('ReleaseRole')).map(([, policy]) => policy);
    expect(release).toHaveLength(2);
    for (const policy of release) {
      const actions = (policy.Properties.PolicyDocument.Statement as { Action: string | string[] }[]).flatMap(
        (statement) => [statement.Action].flat(),
      );
      expect(actions.sort()).toEqual([
        'cloudwatch:DescribeAlarms',
        'lambda:GetAlias',
        'lambda:GetProvisionedConcurrencyConfig',
        'lambda:UpdateAlias',
      ]);
    }
    for (const policy of policies) {
      const statements = policy.Properties.PolicyDocument.Statement as {
        Action: unknown;
        Resource: unknown;
      }[];
      expect(JSON.stringify(statements)).not.toMatch(/\*/);
      expect(statements).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ Action: 'sns:Publish' }),
          expect.objectContaining({ Action: ['kms:GenerateDataKey', 'kms:Decrypt'] }),
          expect.objectContaining({
            Action: expect.arrayContaining(['dynamodb:Query', 'dynamodb:UpdateItem']),
            Resource: [
              { 'Fn::GetAtt': [expect.stringMatching(/^LedgerTable/), 'Arn'] },
              {
                'Fn::Join': [
                  '',
                  [
                    { 'Fn::GetAtt': [expect.stringMatching(/^LedgerTable/), 'Arn'] },
                    '/index/pendingThankYous',
                  ],
                ],
              },
            ],
          }),
        ]),
      );
    }
  });

  it('runs the sweep every 5 minutes', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(5 minutes)',
      Targets: [
        // The `live` alias, which CodeDeploy moves to each new version.
        Match.objectLike({ Arn: { Ref: Match.stringLikeRegexp('^SweepLive') } }),
      ],
    });
  });

  it('alarms on thank-yous left pending for 15 minutes, and on API and function failures', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'skiff',
      MetricName: 'ThankYousPending',
      Dimensions: [{ Name: 'service', Value: 'donations' }],
      EvaluationPeriods: 3,
      Threshold: 1,
    });
    for (const metric of ['5xx', 'Errors', 'Throttles']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: metric });
    }
  });

  it('subscribes an e-mail address and a phone number when given in context', () => {
    const withSubscribers = synthesize({ thankYouEmail: 'team@example.org', thankYouSms: '+447700900123' });
    withSubscribers.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'team@example.org',
    });
    withSubscribers.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'sms',
      Endpoint: '+447700900123',
    });
  });
});
