/**
 * The CDK app: every stack of the stage named by `-c stage=dev|stage|prod`, or of every stage named
 * by `-c stages=dev,stage,prod` (the deploy workflow synthesizes them all once, then promotes the
 * same assembly); plus the delivery stacks when their context is given (`githubRepo`, `connectionArn`).
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { environmentFor } from './environments.js';
import { GitHubOidcStack } from './stacks/github-oidc-stack.js';
import { PipelineStack } from './stacks/pipeline-stack.js';
import { addStageStacks, consoleSettingNames, stageSettingsOf } from './stage-stacks.js';

/** Context the pipeline's own synth needs again: the stage settings (not the stage choice itself). */
const settingNames = [
  'region',
  'githubRepo',
  'alertsEmail',
  'slackWorkspaceId',
  'slackChannelId',
  'thankYouEmail',
  'thankYouSms',
  'thankYouThreshold',
  'ordersAlertEmail',
  'ordersMaxAttempts',
  ...['dev', 'stage', 'prod'].flatMap((stage) => consoleSettingNames.map((name) => `${stage}.${name}`)),
];

function passedOn(app: App): Record<string, string> {
  return Object.fromEntries(
    settingNames.flatMap((name) => {
      const value = app.node.tryGetContext(name);
      return value === undefined ? [] : [[name, String(value)]];
    }),
  );
}

function stagesOf(app: App): string[] {
  const many = app.node.tryGetContext('stages');
  if (many)
    return String(many)
      .split(',')
      .map((stage) => stage.trim());
  return [app.node.tryGetContext('stage')];
}

export function buildApp(app: App): App {
  // Cross-stack references (the pods' role to the users table) keep their producers from deletion.
  app.node.setContext('@aws-cdk/core:defaultCrossStackReferences', 'strong');
  // S3 server access logs delivered under a bucket policy, not the legacy log-delivery ACL.
  app.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);
  const region = app.node.tryGetContext('region') ?? process.env.CDK_DEFAULT_REGION ?? 'eu-west-1';
  const env = { account: process.env.CDK_DEFAULT_ACCOUNT, region };
  const environments = stagesOf(app).map(environmentFor);
  const settings = stageSettingsOf(
    app,
    environments.map((e) => e.stage),
  );
  for (const environment of environments) addStageStacks(app, environment, settings, env);
  const githubRepo = app.node.tryGetContext('githubRepo');
  if (githubRepo) {
    new GitHubOidcStack(app, 'skiff-github-oidc', {
      env,
      repository: String(githubRepo),
      stages: ['dev', 'stage', 'prod'],
      existingProviderArn: app.node.tryGetContext('githubOidcProviderArn'),
    });
  }
  const connectionArn = app.node.tryGetContext('connectionArn');
  if (connectionArn) {
    new PipelineStack(app, 'skiff-pipeline', {
      env,
      repository: String(app.node.tryGetContext('pipelineRepo') ?? githubRepo ?? ''),
      branch: String(app.node.tryGetContext('pipelineBranch') ?? 'main'),
      connectionArn: String(connectionArn),
      settings,
      context: passedOn(app),
    });
  }
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return app;
}

if (import.meta.url === `file://${process.argv[1]}`) buildApp(new App()).synth();
