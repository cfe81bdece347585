import { CfnOutput, Duration, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { Construct } from 'constructs';
import { physicalName } from '../../src/platform/resources.js';
import { donationsResources } from '../../src/services/donations/resources.js';
import { pendingThankYousMetric } from '../../src/services/donations/thank-you.js';
import { serviceMetric, thresholdAlarm } from '../constructs/alarms.js';
import { CatalogTable } from '../constructs/catalog-table.js';
import { EncryptedTopic } from '../constructs/encrypted-topic.js';
import { HttpApiFunction, httpFunctionTimeout } from '../constructs/http-api-function.js';
import { ServiceFunction } from '../constructs/service-function.js';
import type { Environment } from '../environments.js';

/** What a repeat needs after its wait: one more claim read and its answer. */
export const idempotencyAnswerMarginMs = 3_000;

export interface DonationsStackProps extends StackProps {
  environment: Environment;
  /** Optional subscribers to the thank-you topic (CDK context `thankYouEmail`, `thankYouSms`). */
  subscribers?: { email?: string; sms?: string };
  thankYouThreshold?: number;
}

const tableActions = [
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:Query',
  'dynamodb:DescribeTable',
];

/**
 * Donations: the HTTP API on Lambda, the ledger table, the KMS-encrypted thank-you topic, a sweep
 * every 5 minutes that retries thank-yous whose publish failed, and alarms.
 */
export class DonationsStack extends Stack {
  /** The HTTP API and its function, for the stage's dashboard. */
  readonly http: HttpApiFunction;

  constructor(scope: Construct, id: string, props: DonationsStackProps) {
    super(scope, id, props);
    const { environment } = props;
    const stage = environment.stage;
    const ledger = new CatalogTable(this, 'Ledger', {
      tableName: physicalName(stage, 'donations', 'ledger'),
      spec: donationsResources.tables.ledger,
      environment,
      personalData: true,
    });
    const thankYou = new EncryptedTopic(this, 'ThankYou', {
      topicName: physicalName(stage, 'donations', 'thank-you'),
      environment,
      subscribers: props.subscribers,
    });
    const { topic } = thankYou;
    const variables = {
      SKIFF_SNS_TOPIC_ARNS: topic.topicArn,
      SKIFF_THANK_YOU_THRESHOLD: String(props.thankYouThreshold ?? 2),
      // A parallel repeat of a request must answer its 409 before the function is cut off (a bare 500).
      SKIFF_IDEMPOTENCY_WAIT_MS: String(httpFunctionTimeout.toMilliseconds() - idempotencyAnswerMarginMs),
    };
    const http = new HttpApiFunction(this, 'Http', {
      service: 'donations',
      function: 'donations-api',
      environment,
      variables,
    });
    this.http = http;
    const sweep = new ServiceFunction(this, 'Sweep', {
      service: 'donations',
      function: 'donations-sweep',
      description: 'skiff donations thank-you sweep',
      environment,
      variables,
      timeout: Duration.minutes(1),
    });
    new Rule(this, 'SweepSchedule', {
      description: 'Retry thank-yous whose publish failed',
      schedule: Schedule.rate(Duration.minutes(5)),
      targets: [new LambdaFunction(sweep.live, { retryAttempts: 2 })],
    });
    for (const fn of [http.function, sweep.function]) {
      ledger.grantExactly(fn, tableActions);
      thankYou.grantPublishExactly(fn);
    }

    const pending = serviceMetric('donations', pendingThankYousMetric, 'Maximum');
    thresholdAlarm(this, 'ThankYousPending', pending, 1, 'thank-yous still unpublished after the sweep', 3);

    new CfnOutput(this, 'ApiUrl', { value: http.stage.url, description: 'Base URL of the donations API' });
    new CfnOutput(this, 'ThankYouTopicArn', { value: topic.topicArn });
    Validations.of(http.api).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason: 'The brief asks for an API any client can call, and leaves authentication out of scope.',
    });
  }
}
