import { Aspects, DefaultStackSynthesizer, type Stack, type StackProps, Tags } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { AlarmsNotify } from './aspects/alarms-notify.js';
import { type Environment, qualifierFor } from './environments.js';
import { AlertsStack, alertsTopicName } from './stacks/alerts-stack.js';
import { ConsoleStack } from './stacks/console-stack.js';
import { DashboardStack } from './stacks/dashboard-stack.js';
import { DonationsStack } from './stacks/donations-stack.js';
import { EksStack } from './stacks/eks-stack.js';
import { GreetingsStack } from './stacks/greetings-stack.js';
import { OrdersStack } from './stacks/orders-stack.js';
import { RecordsStack } from './stacks/records-stack.js';
import { UsersStack } from './stacks/users-stack.js';

/** What a stage's stacks read from CDK context (`-c name=value`). */
export interface StageSettings {
  alertsEmail?: string;
  slack?: { workspaceId: string; channelId: string };
  thankYouEmail?: string;
  thankYouSms?: string;
  thankYouThreshold: number;
  ordersAlertEmail?: string;
  ordersMaxAttempts: number;
  imageTag: string;
  usersPublicUrl?: string;
  apiAllowedCidrs: string[];
  /** Each stage's console distribution settings (a domain is one stage's, never shared). */
  consoles: Partial<Record<Environment['stage'], ConsoleSettings>>;
}

export interface ConsoleSettings {
  /** The users ingress host the console's distribution routes users' paths to. */
  usersOrigin?: string;
  /** The console's own domain, with its ACM certificate (in us-east-1, as CloudFront requires). */
  domain?: { name: string; certificateArn: string };
}

/** The context names a stage's console reads, as `-c <stage>.<name>=…`. */
export const consoleSettingNames = ['usersOrigin', 'consoleDomain', 'consoleCertificateArn'] as const;

/**
 * One stage's console settings: `-c prod.consoleDomain=…`; or unprefixed (`-c consoleDomain=…`) when
 * only one stage is built, since two distributions cannot share a domain and dev must not route to
 * prod's users.
 */
function consoleSettingsOf(scope: Construct, stage: string, built: string[]): ConsoleSettings {
  const context = (name: (typeof consoleSettingNames)[number]) => {
    const scoped = scope.node.tryGetContext(`${stage}.${name}`);
    const shared = scope.node.tryGetContext(name);
    if (shared !== undefined && built.length > 1) {
      throw new Error(
        `-c ${name} would apply to every stage built: name its stage, as -c ${stage}.${name}=…`,
      );
    }
    const value = scoped ?? (built[0] === stage ? shared : undefined);
    return value === undefined ? undefined : String(value);
  };
  const name = context('consoleDomain');
  const certificateArn = context('consoleCertificateArn');
  if (Boolean(name) !== Boolean(certificateArn)) {
    throw new Error(`Set both consoleDomain and consoleCertificateArn for ${stage}, or neither`);
  }
  return {
    usersOrigin: context('usersOrigin'),
    domain: name && certificateArn ? { name, certificateArn } : undefined,
  };
}

/** Read the stage settings from context, with the defaults a first deploy needs. */
export function stageSettingsOf(scope: Construct, stages: Environment['stage'][]): StageSettings {
  const context = (name: string) => scope.node.tryGetContext(name);
  const workspaceId = context('slackWorkspaceId');
  const channelId = context('slackChannelId');
  if (Boolean(workspaceId) !== Boolean(channelId)) {
    throw new Error('Set both -c slackWorkspaceId=… and -c slackChannelId=…, or neither');
  }
  return {
    alertsEmail: context('alertsEmail'),
    slack: workspaceId ? { workspaceId: String(workspaceId), channelId: String(channelId) } : undefined,
    thankYouEmail: context('thankYouEmail'),
    thankYouSms: context('thankYouSms'),
    thankYouThreshold: Number(context('thankYouThreshold') ?? 2),
    ordersAlertEmail: context('ordersAlertEmail'),
    ordersMaxAttempts: Number(context('ordersMaxAttempts') ?? 10),
    imageTag: context('imageTag') ?? '0.1.0',
    usersPublicUrl: context('usersPublicUrl'),
    // No CIDRs given: the Kubernetes API is private to the VPC, never open to the world by default.
    apiAllowedCidrs: String(context('apiAllowedCidrs') ?? '')
      .split(',')
      .map((cidr) => cidr.trim())
      .filter(Boolean),
    consoles: Object.fromEntries(
      (['dev', 'stage', 'prod'] as const).map((stage) => [stage, consoleSettingsOf(scope, stage, stages)]),
    ),
  };
}

function clusterStacks(
  scope: Construct,
  settings: StageSettings,
  common: (part: string) => StackProps & { environment: Environment; stackName: string },
): Stack[] {
  const name = (part: string) => common(part).stackName;
  const users = new UsersStack(scope, name('users'), common('users'));
  const eks = new EksStack(scope, name('eks'), {
    ...common('eks'),
    users,
    imageTag: settings.imageTag,
    publicUrl: settings.usersPublicUrl,
    apiAllowedCidrs: settings.apiAllowedCidrs,
  });
  return [users, eks];
}

/**
 * Every stack of one stage, in `scope` (the app, or a CDK Pipelines stage): one per service, the EKS
 * cluster, the web console's distribution, the alerts topic every alarm notifies, and the dashboard. Stack names are
 * `skiff-<stage>-<part>` wherever they are built.
 */
export function addStageStacks(
  scope: Construct,
  environment: Environment,
  settings: StageSettings,
  env: { account?: string; region: string },
  { withCluster = true } = {},
): Stack[] {
  const name = (part: string) => `skiff-${environment.stage}-${part}`;
  const synthesizer = new DefaultStackSynthesizer({ qualifier: qualifierFor(environment.stage) });
  const common = (part: string) => ({ env, environment, stackName: name(part), synthesizer });
  const alerts = new AlertsStack(scope, name('alerts'), {
    ...common('alerts'),
    email: settings.alertsEmail,
    slack: settings.slack,
  });
  const greetings = new GreetingsStack(scope, name('greetings'), common('greetings'));
  const donations = new DonationsStack(scope, name('donations'), {
    ...common('donations'),
    subscribers: { email: settings.thankYouEmail, sms: settings.thankYouSms },
    thankYouThreshold: settings.thankYouThreshold,
  });
  const orders = new OrdersStack(scope, name('orders'), {
    ...common('orders'),
    alertEmail: settings.ordersAlertEmail,
    maxAttempts: settings.ordersMaxAttempts,
  });
  const records = new RecordsStack(scope, name('records'), common('records'));
  // The users service on EKS needs its image pushed first: automated pipelines leave it out.
  const cluster = withCluster ? clusterStacks(scope, settings, common) : [];
  const webConsole = new ConsoleStack(scope, name('console'), {
    ...common('console'),
    apis: {
      greetings: greetings.http.api,
      donations: donations.http.api,
      orders: orders.http.api,
      records: records.http.api,
    },
    ...settings.consoles[environment.stage],
  });
  const dashboard = new DashboardStack(scope, name('dashboard'), {
    ...common('dashboard'),
    apis: [
      { service: 'greetings', http: greetings.http },
      { service: 'donations', http: donations.http },
      { service: 'orders', http: orders.http },
      { service: 'records', http: records.http },
    ],
    ingestDeadLetters: records.deadLetters,
  });
  const stacks = [greetings, donations, orders, records, ...cluster, webConsole, dashboard];
  for (const stack of stacks) {
    stack.addStackDependency(alerts, 'its alarms notify the alerts topic');
    Aspects.of(stack).add(new AlarmsNotify(alertsTopicName(environment.stage)));
  }
  // CloudFormation refuses Tags on a dashboard, though the CDK would add them.
  const tagged = { excludeResourceTypes: ['AWS::CloudWatch::Dashboard'] };
  for (const stack of [alerts, ...stacks]) {
    Tags.of(stack).add('project', 'skiff', tagged);
    Tags.of(stack).add('stage', environment.stage, tagged);
  }
  return [alerts, ...stacks];
}
