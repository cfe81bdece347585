import { App, type Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { describe, expect, it } from 'vitest';
import { buildApp } from './app.js';

describe('the CDK app', () => {
  it('has one stack per service, plus the EKS cluster and the console, per stage', () => {
    const app = buildApp(new App({ context: { stage: 'stage' } }));
    expect(app.node.children.map((c) => c.node.id).sort()).toEqual(
      [
        'skiff-stage-alerts',
        'skiff-stage-console',
        'skiff-stage-dashboard',
        'skiff-stage-donations',
        'skiff-stage-eks',
        'skiff-stage-greetings',
        'skiff-stage-orders',
        'skiff-stage-records',
        'skiff-stage-users',
      ].sort(),
    );
  });
});

describe('alarms that page', () => {
  it('wires every alarm of every stack to the alerts topic, on alarm and on OK', () => {
    const app = buildApp(new App({ context: { stage: 'dev', alertsEmail: 'ops@example.org' } }));
    let alarms = 0;
    for (const stack of app.node.children as Stack[]) {
      const template = Template.fromStack(stack);
      for (const [id, alarm] of Object.entries(template.findResources('AWS::CloudWatch::Alarm'))) {
        alarms += 1;
        const topic = { 'Fn::Join': ['', expect.arrayContaining([':skiff-dev-platform-alerts'])] };
        expect(alarm.Properties.AlarmActions, `${stack.node.id}/${id}`).toEqual([topic]);
        expect(alarm.Properties.OKActions, `${stack.node.id}/${id}`).toEqual([topic]);
      }
    }
    expect(alarms).toBeGreaterThan(25);
    const alerts = Template.fromStack(app.node.findChild('skiff-dev-alerts') as Stack);
    alerts.hasResourceProperties('AWS::SNS::Topic', {
      TopicName: 'skiff-dev-platform-alerts',
      KmsMasterKeyId: Match.anyValue(),
    });
    alerts.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.org',
    });
    alerts.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 'sns:Publish',
            Principal: { Service: ['cloudwatch.amazonaws.com', 'codestar-notifications.amazonaws.com'] },
          }),
        ]),
      },
    });
    alerts.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({ Principal: { Service: 'cloudwatch.amazonaws.com' }, Effect: 'Allow' }),
        ]),
      },
    });
  });

  it('notifies a Slack channel through AWS Chatbot when both ids are given', () => {
    const context = { stage: 'dev', slackWorkspaceId: 'T0123', slackChannelId: 'C0456' };
    const alerts = Template.fromStack(
      buildApp(new App({ context })).node.findChild('skiff-dev-alerts') as Stack,
    );
    alerts.hasResourceProperties('AWS::Chatbot::SlackChannelConfiguration', {
      SlackWorkspaceId: 'T0123',
      SlackChannelId: 'C0456',
      SnsTopicArns: [Match.anyValue()],
    });
    expect(() => buildApp(new App({ context: { stage: 'dev', slackWorkspaceId: 'T0123' } }))).toThrow(/both/);
  });
});

describe('the stage dashboard', () => {
  it("shows each API's requests, errors, latency and throttles, and the services' own metrics", () => {
    const app = buildApp(new App({ context: { stage: 'dev' } }));
    const template = Template.fromStack(app.node.findChild('skiff-dev-dashboard') as Stack);
    const [dashboard] = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
    expect(dashboard?.Properties.DashboardName).toBe('skiff-dev');
    const body = JSON.stringify(dashboard?.Properties.DashboardBody);
    for (const service of ['greetings', 'donations', 'orders', 'records']) {
      expect(body).toContain(`${service}: requests and errors`);
      expect(body).toContain(`${service}: latency`);
    }
    for (const metric of [
      '4xx',
      '5xx',
      'p99',
      'Throttles',
      'ThankYousPending',
      'UploadsFailed',
      'OrdersLeft',
    ]) {
      expect(body).toContain(metric);
    }
    expect(body).toContain('ApproximateNumberOfMessagesVisible');
  });
});

describe('cdk-nag AwsSolutions', () => {
  it.each(['dev', 'stage', 'prod'])('passes for %s with every finding acknowledged', (stage) => {
    expect(() => buildApp(new App({ context: { stage } })).synth()).not.toThrow();
  });

  it('passes for the delivery stacks (GitHub OIDC, the pipeline and its three stages)', () => {
    const context = {
      stage: 'dev',
      githubRepo: 'acme/skiff',
      connectionArn: 'arn:aws:codeconnections:eu-west-1:123456789012:connection/abc',
    };
    expect(() => buildApp(new App({ context })).synth()).not.toThrow();
  }, 240_000);

  it('synthesizes every stage into one assembly for the deploy workflow to promote', () => {
    const app = buildApp(new App({ context: { stages: 'dev,stage,prod' } }));
    const names = app.node.children.map((c) => c.node.id);
    for (const stage of ['dev', 'stage', 'prod']) expect(names).toContain(`skiff-${stage}-orders`);
  });

  it('fails synthesis on an unacknowledged finding', () => {
    const app = buildApp(new App({ context: { stage: 'dev' } }));
    new Bucket(app.node.findChild('skiff-dev-greetings') as Stack, 'PlainBucket');
    expect(() => app.synth()).toThrow(/AwsSolutions-S1|server access logs/);
  });

  it('refuses an unknown stage', () => {
    expect(() => buildApp(new App({ context: { stage: 'qa' } }))).toThrow(/Unknown stage "qa"/);
  });
});
