import { type CfnElement, CfnOutput, Duration, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { EventType } from 'aws-cdk-lib/aws-s3';
import { SqsDestination } from 'aws-cdk-lib/aws-s3-notifications';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { physicalName } from '../../src/platform/resources.js';
import { maxS3EventReceives } from '../../src/platform/s3-event-messages.js';
import { failedUploadsMetric, faultedUploadsMetric } from '../../src/services/records/ingest-file.js';
import { recoveryFailuresMetric } from '../../src/services/records/ingester.js';
import { recordsResources } from '../../src/services/records/resources.js';
import { fiveMinutes, serviceMetric, thresholdAlarm } from '../constructs/alarms.js';
import { CatalogTable, keyActions } from '../constructs/catalog-table.js';
import { HttpApiFunction } from '../constructs/http-api-function.js';
import { PrivateBucket } from '../constructs/private-bucket.js';
import { ServiceFunction } from '../constructs/service-function.js';
import type { Environment } from '../environments.js';

export interface RecordsStackProps extends StackProps {
  environment: Environment;
}

/**
 * Patient records: files land in an encrypted bucket (API upload or direct drop under incoming/),
 * S3 notifies an SQS queue, the ingester Lambda takes batches (partial failures retried, then the
 * DLQ), and the query API reads the tables. Personal data is encrypted with a customer-managed key.
 */
export class RecordsStack extends Stack {
  /** The HTTP API and its function, for the stage's dashboard. */
  readonly http: HttpApiFunction;
  /** Ingest events that failed five times, for the stage's dashboard. */
  readonly deadLetters: Queue;

  constructor(scope: Construct, id: string, props: RecordsStackProps) {
    super(scope, id, props);
    const { environment } = props;
    const name = (resource: string) => physicalName(environment.stage, 'records', resource);
    const key = new Key(this, 'DataKey', {
      description: 'skiff records: patient data at rest',
      enableKeyRotation: true,
      removalPolicy: environment.removalPolicy,
    });
    const tables = Object.fromEntries(
      (['records', 'uploads', 'tenants'] as const).map((table) => [
        table,
        new CatalogTable(this, `${table[0]?.toUpperCase()}${table.slice(1)}`, {
          tableName: name(table),
          spec: recordsResources.tables[table],
          environment,
          encryptionKey: key,
        }),
      ]),
    ) as Record<'records' | 'uploads' | 'tenants', CatalogTable>;
    const files = new PrivateBucket(this, 'Files', {
      bucketName: name('files'),
      environment,
      encryptionKey: key,
    });

    const deadLetters = new Queue(this, 'IngestDeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.deadLetters = deadLetters;
    const queue = new Queue(this, 'Ingest', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // Six times the ingester's timeout, as Lambda advises for SQS sources.
      visibilityTimeout: Duration.minutes(30),
      deadLetterQueue: { queue: deadLetters, maxReceiveCount: maxS3EventReceives },
    });
    files.bucket.addEventNotification(EventType.OBJECT_CREATED, new SqsDestination(queue), {
      prefix: recordsResources.buckets.files.eventPrefix,
    });

    const variables = { SKIFF_MAX_CSV_BYTES: String(50 * 1024 * 1024) };
    const ingester = new ServiceFunction(this, 'Ingester', {
      service: 'records',
      function: 'records-ingest',
      description: 'skiff records CSV ingester',
      environment,
      variables,
      timeout: Duration.minutes(5),
    });
    ingester.live.addEventSource(
      new SqsEventSource(queue, { batchSize: 5, reportBatchItemFailures: true, maxConcurrency: 10 }),
    );
    const http = new HttpApiFunction(this, 'Http', {
      service: 'records',
      function: 'records-api',
      environment,
      variables,
    });
    this.http = http;
    // The only routes with S3 and multipart parsing: the query routes' cold start loads neither.
    const uploads = http.routeTo(
      'Uploads',
      { function: 'records-uploads', description: 'skiff records CSV uploads and rejects reports' },
      [
        { method: HttpMethod.POST, path: '/uploads' },
        { method: HttpMethod.GET, path: '/uploads/{uploadId}/report' },
      ],
    );

    const recovery = new ServiceFunction(this, 'Recovery', {
      service: 'records',
      function: 'records-recovery',
      description: 'skiff records recovery of uploads left open',
      environment,
      variables,
      timeout: Duration.minutes(5),
    });
    new Rule(this, 'RecoverySchedule', {
      description: 'Ingest again uploads whose worker stopped and whose lease has lapsed',
      schedule: Schedule.rate(Duration.minutes(15)),
      targets: [new LambdaFunction(recovery.live, { retryAttempts: 2 })],
    });
    for (const worker of [ingester.function, recovery.function])
      this.grantIngester(worker, tables, files, key);
    this.grantQueries(http.function, tables, key);
    this.grantUploads(uploads.function, tables, files, key);

    thresholdAlarm(
      this,
      'DeadLetters',
      deadLetters.metricApproximateNumberOfMessagesVisible(fiveMinutes),
      1,
      'notifications the ingester gave up on',
    );
    const failed = serviceMetric('records', failedUploadsMetric, 'Sum');
    thresholdAlarm(
      this,
      'UploadsFailed',
      failed,
      1,
      'files rejected as a whole or failed by an importer error',
    );
    // Passing faults are retried; a fault in three periods running means one that is not passing.
    const faults = serviceMetric('records', faultedUploadsMetric, 'Sum');
    thresholdAlarm(
      this,
      'UploadFaults',
      faults,
      1,
      'uploads stopped by throttling, timeouts, S3 errors, the deployment or the importer',
      3,
    );
    const recoveryFailures = serviceMetric('records', recoveryFailuresMetric, 'Sum');
    thresholdAlarm(this, 'UploadRecoveryFailures', recoveryFailures, 1, 'tenants whose recovery failed');

    new CfnOutput(this, 'ApiUrl', { value: http.stage.url, description: 'Base URL of the records API' });
    new CfnOutput(this, 'FilesBucket', {
      value: files.bucket.bucketName,
      description: 'Drop files under incoming/<tenant>/',
    });
    this.acknowledge(http, [uploads, ingester, recovery], files);
  }

  private grantIngester(
    grantee: IGrantable,
    tables: Record<string, CatalogTable>,
    files: PrivateBucket,
    key: Key,
  ) {
    // Writes only: per-tenant ordering (the tenant lease) replaced the read-before-write.
    tables.records?.grantExactly(grantee, ['dynamodb:BatchWriteItem']);
    tables.uploads?.grantExactly(grantee, [
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:Query',
    ]);
    tables.tenants?.grantExactly(grantee, ['dynamodb:GetItem']);
    this.allow(grantee, ['s3:GetObject'], [files.bucket.arnForObjects('incoming/*')]);
    // The rejects report streams as a multipart upload, aborted if the file fails.
    this.allow(
      grantee,
      ['s3:PutObject', 's3:AbortMultipartUpload'],
      [files.bucket.arnForObjects('reports/*')],
    );
    // Without ListBucket a missing object answers 403, which reads as a fault to retry, not "gone".
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [files.bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': ['incoming/*'] } },
      }),
    );
    this.allow(grantee, keyActions.readWrite, [key.keyArn]);
  }

  private grantQueries(grantee: IGrantable, tables: Record<string, CatalogTable>, key: Key) {
    tables.records?.grantExactly(grantee, ['dynamodb:Query', 'dynamodb:DescribeTable']);
    tables.uploads?.grantExactly(grantee, ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:DescribeTable']);
    tables.tenants?.grantExactly(grantee, ['dynamodb:GetItem', 'dynamodb:DescribeTable']);
    this.allow(grantee, keyActions.read, [key.keyArn]);
  }

  private grantUploads(
    grantee: IGrantable,
    tables: Record<string, CatalogTable>,
    files: PrivateBucket,
    key: Key,
  ) {
    tables.uploads?.grantExactly(grantee, [
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DescribeTable',
    ]);
    tables.tenants?.grantExactly(grantee, ['dynamodb:GetItem', 'dynamodb:DescribeTable']);
    this.allow(
      grantee,
      ['s3:PutObject', 's3:AbortMultipartUpload'],
      [files.bucket.arnForObjects('incoming/*')],
    );
    this.allow(grantee, ['s3:GetObject'], [files.bucket.arnForObjects('reports/*')]);
    this.allow(grantee, keyActions.readWrite, [key.keyArn]);
  }

  private allow(grantee: IGrantable, actions: string[], resources: string[]) {
    grantee.grantPrincipal.addToPrincipalPolicy(new PolicyStatement({ actions, resources }));
  }

  private acknowledge(http: HttpApiFunction, withFiles: ServiceFunction[], files: PrivateBucket): void {
    Validations.of(http.api).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'Every route but /healthcheck/ authenticates with the tenant API key in the application (the brief front end sends X-API-Key).',
    });
    const bucket = this.getLogicalId(files.bucket.node.defaultChild as CfnElement);
    for (const role of withFiles.map((fn) => fn.role)) {
      for (const prefix of ['incoming', 'reports']) {
        Validations.of(role).acknowledge({
          id: `AwsSolutions-IAM5[Resource::<${bucket}.Arn>/${prefix}/*]`,
          reason: `Object names under ${prefix}/ are made per tenant and upload; the grant is limited to that prefix.`,
        });
      }
    }
    const notificationsHandler = this.node.children.find((c) =>
      c.node.id.startsWith('BucketNotificationsHandler'),
    );
    if (notificationsHandler) {
      Validations.of(notificationsHandler).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason:
          "The CDK's own bucket-notifications handler, which sets the bucket's S3 → SQS notification once at deploy.",
      });
    }
  }
}
