import { App, type Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../app.js';

let template: Template;
beforeAll(() => {
  const app = buildApp(new App({ context: { stage: 'dev' } }));
  template = Template.fromStack(app.node.findChild('skiff-dev-records') as Stack);
});

type Resource = { Properties: Record<string, unknown> };
type Statement = { Action: string | string[]; Resource: unknown };
const all = (type: string) => Object.entries(template.findResources(type) as Record<string, Resource>);
/** The logical id of the function whose description matches. */
const functionId = (description: RegExp) =>
  all('AWS::Lambda::Function').find(([, fn]) => description.test(String(fn.Properties.Description)))?.[0];
const roleOf = (id: string | undefined) => {
  const fn = all('AWS::Lambda::Function').find(([fnId]) => fnId === id);
  if (!fn) throw new Error(`no function ${id}`);
  return (fn[1].Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
};
/** Every statement in the policies attached to a function's role. */
const statementsOf = (id: string | undefined) =>
  all('AWS::IAM::Policy')
    .filter(([, policy]) => (policy.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === roleOf(id)))
    .flatMap(([, policy]) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
const actionsOf = (id: string | undefined) => statementsOf(id).flatMap((st) => [st.Action].flat());

describe('records stack', () => {
  it('encrypts patient data with a rotating customer-managed key: tables and bucket', () => {
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    for (const table of ['records', 'uploads', 'tenants']) {
      template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
        TableName: `skiff-dev-records-${table}`,
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
        Replicas: [Match.objectLike({ SSESpecification: { KMSMasterKeyId: Match.anyValue() } })],
      });
    }
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: 'skiff-dev-records-files',
      VersioningConfiguration: { Status: 'Enabled' },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          Match.objectLike({
            BucketKeyEnabled: true,
            ServerSideEncryptionByDefault: Match.objectLike({ SSEAlgorithm: 'aws:kms' }),
          }),
        ],
      },
    });
  });

  it('queries by key and indexes only: the three name and tenant indexes exist', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      TableName: 'skiff-dev-records-records',
      GlobalSecondaryIndexes: Match.arrayWith(
        ['byLastName', 'byFirstName', 'byTenant'].map((name) => Match.objectLike({ IndexName: name })),
      ),
    });
  });

  it('sends objects created under incoming/ to an SQS queue with a dead-letter queue', () => {
    template.hasResourceProperties('Custom::S3BucketNotifications', {
      NotificationConfiguration: {
        QueueConfigurations: [
          Match.objectLike({
            Events: ['s3:ObjectCreated:*'],
            Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'incoming/' }] } },
          }),
        ],
      },
    });
    template.hasResourceProperties('AWS::SQS::Queue', {
      VisibilityTimeout: 1800,
      RedrivePolicy: { deadLetterTargetArn: Match.anyValue(), maxReceiveCount: 5 },
    });
  });

  it('feeds the ingester in batches that report partial failures', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 5,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 10 },
    });
    const descriptions = Object.values(template.findResources('AWS::Lambda::Function')).map(
      (f) => f.Properties.Description,
    );
    expect(descriptions).toEqual(expect.arrayContaining(['skiff records CSV ingester (dev)']));
  });

  it('runs the recovery of uploads left open every 15 minutes', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(15 minutes)',
      Targets: [
        // The `live` alias, which CodeDeploy moves to each new version.
        Match.objectLike({ Arn: { Ref: Match.stringLikeRegexp('^RecoveryLive') } }),
      ],
    });
  });

  it('alarms on the dead-letter queue, failed uploads, lasting faults and failed recoveries', () => {
    for (const name of ['UploadFaults', 'UploadRecoveryFailures'])
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'skiff',
        MetricName: name,
        Dimensions: [{ Name: 'service', Value: 'records' }],
      });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'UploadFaults',
      EvaluationPeriods: 3,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'skiff',
      MetricName: 'UploadsFailed',
      Dimensions: [{ Name: 'service', Value: 'records' }],
    });
  });

  it('gives the ingester and recovery ListBucket on incoming/ only, and the API none of it', () => {
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).map(
      (policy) =>
        policy.Properties.PolicyDocument.Statement as { Action: string | string[]; Condition?: unknown }[],
    );
    const actionsOf = (list: { Action: string | string[] }[]) => list.flatMap((st) => [st.Action].flat());
    const listing = statements.filter((list) => actionsOf(list).includes('s3:ListBucket'));
    expect(listing).toHaveLength(2);
    for (const list of listing) {
      expect(list.find((st) => st.Action === 's3:ListBucket')?.Condition).toEqual({
        StringLike: { 's3:prefix': ['incoming/*'] },
      });
      expect(actionsOf(list)).not.toContain('dynamodb:BatchGetItem');
    }
    const api = statements.filter(
      (list) =>
        actionsOf(list).includes('s3:AbortMultipartUpload') &&
        actionsOf(list).includes('dynamodb:DescribeTable'),
    );
    expect(api).toHaveLength(1);
    expect(actionsOf(api[0] ?? [])).not.toContain('s3:ListBucket');
  });

  it('sends the upload routes to a function of their own, and gives the query function no S3 at all', () => {
    const uploads = functionId(/CSV uploads and rejects reports/);
    const queries = functionId(/records HTTP API/);
    expect(actionsOf(queries).filter((action) => action.startsWith('s3:'))).toEqual([]);
    expect(actionsOf(queries)).not.toContain('dynamodb:PutItem');
    expect(actionsOf(uploads)).toEqual(expect.arrayContaining(['s3:PutObject', 's3:GetObject']));

    // Each route's integration invokes the `live` alias of one function.
    const aliasFunction = Object.fromEntries(
      all('AWS::Lambda::Alias').map(([id, alias]) => [
        id,
        (alias.Properties.FunctionName as { Ref: string }).Ref,
      ]),
    );
    const integrationFunction = Object.fromEntries(
      all('AWS::ApiGatewayV2::Integration').map(([id, integration]) => [
        id,
        aliasFunction[(integration.Properties.IntegrationUri as { Ref: string }).Ref],
      ]),
    );
    const routes = Object.fromEntries(
      all('AWS::ApiGatewayV2::Route').map(([, route]) => {
        const target = route.Properties.Target as { 'Fn::Join': [string, [string, { Ref: string }]] };
        return [route.Properties.RouteKey, integrationFunction[target['Fn::Join'][1][1].Ref]];
      }),
    );
    expect(routes).toEqual({
      $default: queries,
      'POST /uploads': uploads,
      'GET /uploads/{uploadId}/report': uploads,
    });
  });

  it('lets the query function decrypt and describe the key, and the writers also encrypt and make data keys', () => {
    const [keyId] = Object.keys(template.findResources('AWS::KMS::Key'));
    const keyActions = (id: string | undefined) =>
      statementsOf(id)
        .filter((st) => JSON.stringify(st.Resource) === JSON.stringify({ 'Fn::GetAtt': [keyId, 'Arn'] }))
        .flatMap((st) => [st.Action].flat())
        .sort();
    const read = ['kms:Decrypt', 'kms:DescribeKey'];
    const readWrite = ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'];
    expect(keyActions(functionId(/records HTTP API/))).toEqual(read);
    for (const writer of [/CSV uploads and rejects reports/, /CSV ingester/, /recovery of uploads/])
      expect(keyActions(functionId(writer))).toEqual(readWrite);
  });
});
