import { type CfnElement, CfnOutput, Duration, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { StepFunctionsStartExecution } from 'aws-cdk-lib/aws-scheduler-targets';
import { DefinitionBody, LogLevel, StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { physicalName } from '../../src/platform/resources.js';
import { type PipelineInput, pipelineDefinition } from '../../src/services/orders/pipeline-definition.js';
import { ordersLeftMetric } from '../../src/services/orders/pipeline-tasks.js';
import { ordersResources } from '../../src/services/orders/resources.js';
import { fiveMinutes, serviceMetric, thresholdAlarm } from '../constructs/alarms.js';
import { CatalogTable } from '../constructs/catalog-table.js';
import { EncryptedTopic } from '../constructs/encrypted-topic.js';
import { HttpApiFunction } from '../constructs/http-api-function.js';
import { PrivateBucket } from '../constructs/private-bucket.js';
import { ServiceFunction } from '../constructs/service-function.js';
import type { Environment } from '../environments.js';

export interface OrdersStackProps extends StackProps {
  environment: Environment;
  /** E-mail subscriber of the notifications topic (context `ordersAlertEmail`); Slack goes through AWS Chatbot. */
  alertEmail?: string;
  maxAttempts: number;
}

/** A `${Name}` placeholder in the ASL, which Step Functions replaces from `definitionSubstitutions`. */
const substitution = (name: string) => ['$', '{', name, '}'].join('');

/** The ARNs in the shared ASL, as substitutions filled in at deploy time. */
export const pipelinePlaceholders = {
  fetchResults: substitution('FetchResultsArn'),
  deliverBatch: substitution('DeliverBatchArn'),
  summarizeRun: substitution('SummarizeRunArn'),
  notificationsTopic: substitution('NotificationsTopicArn'),
};

/**
 * Orders: the HTTP API, the orders table (TTL 24 h), the results bucket, the notifications topic and
 * the auction results pipeline (Step Functions, from the same ASL the local runner runs), started hourly.
 */
export class OrdersStack extends Stack {
  /** The HTTP API and its function, for the stage's dashboard. */
  readonly http: HttpApiFunction;

  constructor(scope: Construct, id: string, props: OrdersStackProps) {
    super(scope, id, props);
    const { environment } = props;
    const name = (resource: string) => physicalName(environment.stage, 'orders', resource);
    const orders = new CatalogTable(this, 'Orders', {
      tableName: name('orders'),
      spec: ordersResources.tables.orders,
      environment,
    });
    const results = new PrivateBucket(this, 'Results', {
      bucketName: name('results'),
      environment,
      expirationDays: 365,
    });
    const notifications = new EncryptedTopic(this, 'Notifications', {
      topicName: name('notifications'),
      environment,
      subscribers: { email: props.alertEmail },
    });

    const runs = new CatalogTable(this, 'Runs', {
      tableName: name('runs'),
      spec: ordersResources.tables.runs,
      environment,
    });

    const task = (
      id: string,
      part: string,
      description: string,
      variables = {},
      timeout = Duration.minutes(1),
    ) =>
      new ServiceFunction(this, id, {
        service: 'orders',
        function: `orders-${part}`,
        description,
        environment,
        timeout,
        variables,
      });
    const fetchResults = task('FetchResults', 'fetch-results', 'skiff orders FetchResults (lambda_a)');
    const deliverBatch = task(
      'DeliverBatch',
      'deliver-batch',
      'skiff orders DeliverBatch (lambda_b, 50 orders a call)',
      // The only function of orders that publishes: the others are not told the topic.
      { SKIFF_SNS_TOPIC_ARNS: notifications.topic.topicArn },
      Duration.minutes(5),
    );
    const summarizeRun = task('SummarizeRun', 'summarize-run', 'skiff orders SummarizeRun');
    orders.grantExactly(fetchResults.function, ['dynamodb:Query', 'dynamodb:UpdateItem']);
    runs.grantExactly(fetchResults.function, ['dynamodb:BatchWriteItem']);
    runs.grantExactly(deliverBatch.function, ['dynamodb:GetItem']);
    orders.grantExactly(deliverBatch.function, ['dynamodb:UpdateItem']);
    deliverBatch.function.addToRolePolicy(
      new PolicyStatement({
        actions: ['s3:PutObject'],
        resources: [results.bucket.arnForObjects('results/*')],
      }),
    );
    notifications.grantPublishExactly(deliverBatch.function);
    runs.grantExactly(summarizeRun.function, ['dynamodb:Query', 'dynamodb:PutItem']);
    orders.grantExactly(summarizeRun.function, ['dynamodb:BatchGetItem']);
    // Runs call the tasks' `live` aliases: each new version is released by CodeDeploy, as the API's are.
    const taskAliases = [fetchResults, deliverBatch, summarizeRun].map((t) => t.live);

    const pipeline = new StateMachine(this, 'Pipeline', {
      stateMachineName: name('pipeline'),
      definitionBody: DefinitionBody.fromString(JSON.stringify(pipelineDefinition(pipelinePlaceholders))),
      definitionSubstitutions: {
        FetchResultsArn: fetchResults.live.functionArn,
        DeliverBatchArn: deliverBatch.live.functionArn,
        SummarizeRunArn: summarizeRun.live.functionArn,
        NotificationsTopicArn: notifications.topic.topicArn,
      },
      logs: {
        destination: new LogGroup(this, 'PipelineLogs', {
          retention: environment.logRetention,
          removalPolicy: environment.removalPolicy,
        }),
        level: LogLevel.ALL,
        includeExecutionData: false,
      },
      tracingEnabled: true,
      timeout: Duration.hours(1),
    });
    // The aliases themselves, not grantInvoke's `<arn>:*` (every version and alias).
    pipeline.addToRolePolicy(
      new PolicyStatement({
        actions: ['lambda:InvokeFunction'],
        resources: taskAliases.map((alias) => alias.functionArn),
      }),
    );
    notifications.grantPublishExactly(pipeline);

    const input: PipelineInput = { attempt: 0, maxAttempts: props.maxAttempts };
    new Schedule(this, 'Hourly', {
      description: 'Run the auction results pipeline every hour',
      schedule: ScheduleExpression.rate(Duration.hours(1)),
      target: new StepFunctionsStartExecution(pipeline, { input: ScheduleTargetInput.fromObject(input) }),
    });
    thresholdAlarm(this, 'PipelineFailed', pipeline.metricFailed(fiveMinutes), 1, 'a pipeline run failed');
    thresholdAlarm(
      this,
      'PipelineTimedOut',
      pipeline.metricTimedOut(fiveMinutes),
      1,
      'a pipeline run timed out',
    );
    thresholdAlarm(
      this,
      'OrdersLeft',
      serviceMetric('orders', ordersLeftMetric, 'Sum'),
      1,
      'orders a run could not deliver (left pending for the next run)',
    );

    const http = new HttpApiFunction(this, 'Http', {
      service: 'orders',
      function: 'orders-api',
      environment,
      variables: {
        SKIFF_ORDERS_STATE_MACHINE_ARN: pipeline.stateMachineArn,
        SKIFF_ORDERS_PIPELINE_MAX_ATTEMPTS: String(props.maxAttempts),
      },
    });
    this.http = http;
    orders.grantExactly(http.function, [
      'dynamodb:BatchWriteItem',
      'dynamodb:GetItem',
      'dynamodb:DescribeTable',
    ]);
    runs.grantExactly(http.function, ['dynamodb:BatchGetItem']);
    pipeline.grantStartExecution(http.function);
    http.function.addToRolePolicy(
      new PolicyStatement({ actions: ['states:ListExecutions'], resources: [pipeline.stateMachineArn] }),
    );
    http.function.addToRolePolicy(
      new PolicyStatement({
        actions: ['states:DescribeExecution'],
        resources: [this.executionsArn(name('pipeline'))],
      }),
    );

    new CfnOutput(this, 'ApiUrl', { value: http.stage.url, description: 'Base URL of the orders API' });
    new CfnOutput(this, 'PipelineArn', { value: pipeline.stateMachineArn });
    this.acknowledge(http, deliverBatch, pipeline, name('pipeline'));
  }

  /** Every execution of one state machine: run ids are made per run, so the name is a wildcard. */
  private executionsArn(stateMachineName: string): string {
    return `arn:${this.partition}:states:${this.region}:${this.account}:execution:${stateMachineName}:*`;
  }

  private acknowledge(
    http: HttpApiFunction,
    deliverBatch: ServiceFunction,
    pipeline: StateMachine,
    pipelineName: string,
  ): void {
    const resultsBucket = this.node.findChild('Results').node.findChild('Bucket');
    Validations.of(http.api).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'The brief defines POST /orders as an open API; callers are expected to sit behind the auction network.',
    });
    Validations.of(http.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:${this.region}:<AWS::AccountId>:execution:${pipelineName}:*]`,
      reason:
        'GET /orders/pipeline/runs/{runId} describes executions of this one state machine, whose names are run ids.',
    });
    Validations.of(deliverBatch.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${this.getLogicalId(resultsBucket.node.defaultChild as CfnElement)}.Arn>/results/*]`,
      reason:
        'One object per decided order is written under results/; the grant is PutObject on that prefix only.',
    });
    Validations.of(pipeline.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray tracing and CloudWatch Logs delivery for Step Functions take no resource-level permissions.',
    });
  }
}
