/** The CDK app: one stack per service, for the stage named by `-c stage=dev|stage|prod`. */
import { App, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { environmentFor } from './environments.js';
import { DonationsStack } from './stacks/donations-stack.js';
import { GreetingsStack } from './stacks/greetings-stack.js';

export function buildApp(app: App): App {
  const environment = environmentFor(app.node.tryGetContext('stage'));
  const region = app.node.tryGetContext('region') ?? process.env.CDK_DEFAULT_REGION ?? 'eu-west-1';
  const env = { account: process.env.CDK_DEFAULT_ACCOUNT, region };
  new GreetingsStack(app, `skiff-${environment.stage}-greetings`, { env, environment });
  new DonationsStack(app, `skiff-${environment.stage}-donations`, {
    env,
    environment,
    subscribers: {
      email: app.node.tryGetContext('thankYouEmail'),
      sms: app.node.tryGetContext('thankYouSms'),
    },
    thankYouThreshold: Number(app.node.tryGetContext('thankYouThreshold') ?? 2),
  });
  Tags.of(app).add('project', 'skiff');
  Tags.of(app).add('stage', environment.stage);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return app;
}

if (import.meta.url === `file://${process.argv[1]}`) buildApp(new App()).synth();
