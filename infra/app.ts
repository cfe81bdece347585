/** The CDK app: one stack per service, for the stage named by `-c stage=dev|stage|prod`. */
import { App, Aspects, Stack, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { AlarmsNotify } from './aspects/alarms-notify.js';
import { environmentFor } from './environments.js';
import { AlertsStack, alertsTopicName } from './stacks/alerts-stack.js';
import { DashboardStack } from './stacks/dashboard-stack.js';
import { DonationsStack } from './stacks/donations-stack.js';
import { EksStack } from './stacks/eks-stack.js';
import { GreetingsStack } from './stacks/greetings-stack.js';
import { OrdersStack } from './stacks/orders-stack.js';
import { RecordsStack } from './stacks/records-stack.js';
import { UsersStack } from './stacks/users-stack.js';

/** Slack through AWS Chatbot: both ids, or neither. */
function slackOf(app: App): { workspaceId: string; channelId: string } | undefined {
  const workspaceId = app.node.tryGetContext('slackWorkspaceId');
  const channelId = app.node.tryGetContext('slackChannelId');
  if (!workspaceId && !channelId) return undefined;
  if (!workspaceId || !channelId)
    throw new Error('Set both -c slackWorkspaceId=… and -c slackChannelId=…, or neither');
  return { workspaceId: String(workspaceId), channelId: String(channelId) };
}

export function buildApp(app: App): App {
  // Cross-stack references (the pods' role to the users table) keep their producers from deletion.
  app.node.setContext('@aws-cdk/core:defaultCrossStackReferences', 'strong');
  // S3 server access logs delivered under a bucket policy, not the legacy log-delivery ACL.
  app.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);
  const environment = environmentFor(app.node.tryGetContext('stage'));
  const region = app.node.tryGetContext('region') ?? process.env.CDK_DEFAULT_REGION ?? 'eu-west-1';
  const env = { account: process.env.CDK_DEFAULT_ACCOUNT, region };
  const alerts = new AlertsStack(app, `skiff-${environment.stage}-alerts`, {
    env,
    environment,
    email: app.node.tryGetContext('alertsEmail'),
    slack: slackOf(app),
  });
  const greetings = new GreetingsStack(app, `skiff-${environment.stage}-greetings`, { env, environment });
  const donations = new DonationsStack(app, `skiff-${environment.stage}-donations`, {
    env,
    environment,
    subscribers: {
      email: app.node.tryGetContext('thankYouEmail'),
      sms: app.node.tryGetContext('thankYouSms'),
    },
    thankYouThreshold: Number(app.node.tryGetContext('thankYouThreshold') ?? 2),
  });
  const orders = new OrdersStack(app, `skiff-${environment.stage}-orders`, {
    env,
    environment,
    alertEmail: app.node.tryGetContext('ordersAlertEmail'),
    maxAttempts: Number(app.node.tryGetContext('ordersMaxAttempts') ?? 10),
  });
  const records = new RecordsStack(app, `skiff-${environment.stage}-records`, { env, environment });
  const users = new UsersStack(app, `skiff-${environment.stage}-users`, { env, environment });
  new EksStack(app, `skiff-${environment.stage}-eks`, {
    env,
    environment,
    users,
    imageTag: app.node.tryGetContext('imageTag') ?? '0.1.0',
    publicUrl: app.node.tryGetContext('usersPublicUrl'),
    // No CIDRs given: the Kubernetes API is private to the VPC, never open to the world by default.
    apiAllowedCidrs: String(app.node.tryGetContext('apiAllowedCidrs') ?? '')
      .split(',')
      .map((cidr) => cidr.trim())
      .filter(Boolean),
  });
  new DashboardStack(app, `skiff-${environment.stage}-dashboard`, {
    env,
    environment,
    apis: [
      { service: 'greetings', http: greetings.http },
      { service: 'donations', http: donations.http },
      { service: 'orders', http: orders.http },
      { service: 'records', http: records.http },
    ],
    ingestDeadLetters: records.deadLetters,
  });
  for (const stack of app.node.children) {
    if (stack instanceof Stack && stack !== alerts) {
      stack.addStackDependency(alerts, 'its alarms notify the alerts topic');
      Aspects.of(stack).add(new AlarmsNotify(alertsTopicName(environment.stage)));
    }
  }
  // CloudFormation refuses Tags on a dashboard, though the CDK would add them.
  const tagged = { excludeResourceTypes: ['AWS::CloudWatch::Dashboard'] };
  Tags.of(app).add('project', 'skiff', tagged);
  Tags.of(app).add('stage', environment.stage, tagged);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return app;
}

if (import.meta.url === `file://${process.argv[1]}`) buildApp(new App()).synth();
