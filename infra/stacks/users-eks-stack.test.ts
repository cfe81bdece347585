import { App, type Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../app.js';

let users: Template;
let eks: Template;

beforeAll(() => {
  const app = buildApp(
    new App({
      context: {
        stage: 'dev',
        imageTag: '1.2.3',
        apiAllowedCidrs: '203.0.113.0/24',
        usersPublicUrl: 'https://users.example.org',
      },
    }),
  );
  users = Template.fromStack(app.node.findChild('skiff-dev-users') as Stack);
  eks = Template.fromStack(app.node.findChild('skiff-dev-eks') as Stack);
});

describe('users stack', () => {
  it('builds the users table from the catalog: on demand, encrypted, PITR, listing index', () => {
    users.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      TableName: 'skiff-dev-users-users',
      BillingMode: 'PAY_PER_REQUEST',
      SSESpecification: { SSEEnabled: true },
      GlobalSecondaryIndexes: [Match.objectLike({ IndexName: 'allUsers' })],
      Replicas: [
        Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }),
      ],
    });
  });

  it('keeps avatars in a private, encrypted, versioned bucket with a lifecycle for old versions', () => {
    users.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: 'skiff-dev-users-avatars',
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      VersioningConfiguration: { Status: 'Enabled' },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      LifecycleConfiguration: {
        Rules: Match.arrayWith([Match.objectLike({ NoncurrentVersionExpiration: { NoncurrentDays: 30 } })]),
      },
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'skiff-dev-users-avatars/' }),
    });
  });

  it('refuses any request to the avatars bucket that is not over TLS', () => {
    users.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: Match.stringLikeRegexp('^AvatarsBucket') },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });
});

describe('EKS stack', () => {
  it('keeps the Kubernetes API private when no CIDRs are given, and refuses one open to the world', () => {
    const app = buildApp(new App({ context: { stage: 'dev', imageTag: '1.2.3' } }));
    const closed = Template.fromStack(app.node.findChild('skiff-dev-eks') as Stack);
    closed.hasResourceProperties('Custom::AWSCDK-EKS-Cluster', {
      Config: Match.objectLike({
        resourcesVpcConfig: Match.objectLike({ endpointPublicAccess: false, endpointPrivateAccess: true }),
      }),
    });
    expect(() => buildApp(new App({ context: { stage: 'dev', apiAllowedCidrs: '0.0.0.0/0' } }))).toThrow(
      /whole Internet/,
    );
  });

  it('expires avatars uploaded with no user after a day', () => {
    users.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: 'skiff-dev-users-avatars',
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({ Prefix: 'avatars/unattached/', ExpirationInDays: 1, Status: 'Enabled' }),
        ]),
      },
    });
  });

  it('runs a logged cluster with encrypted secrets and an allow-listed API endpoint', () => {
    eks.hasResourceProperties('Custom::AWSCDK-EKS-Cluster', {
      Config: Match.objectLike({
        name: 'skiff-dev',
        version: '1.33',
        encryptionConfig: [Match.objectLike({ resources: ['secrets'] })],
        resourcesVpcConfig: Match.objectLike({
          endpointPublicAccess: true,
          endpointPrivateAccess: true,
          publicAccessCidrs: ['203.0.113.0/24'],
        }),
        logging: {
          clusterLogging: [Match.objectLike({ enabled: true, types: Match.arrayWith(['api', 'audit']) })],
        },
      }),
    });
  });

  it("runs its nodes on Amazon Linux 2023, IMDSv2 only, with the metadata out of the pods' reach", () => {
    eks.resourceCountIs('AWS::EKS::Nodegroup', 1);
    const [templateId] = Object.keys(eks.findResources('AWS::EC2::LaunchTemplate'));
    eks.hasResourceProperties('AWS::EKS::Nodegroup', {
      // EKS publishes no Amazon Linux 2 image for 1.33: an AL2 AMI type fails on create.
      AmiType: 'AL2023_ARM_64_STANDARD',
      InstanceTypes: ['t4g.medium'],
      ScalingConfig: { MinSize: 2, DesiredSize: 2, MaxSize: 2 },
      LaunchTemplate: { Id: { Ref: templateId } },
    });
    eks.hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: Match.objectLike({
        MetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 1, HttpEndpoint: 'enabled' },
      }),
    });
  });

  it('gives the users pods a role of their own, trusted only for the skiff-users service account', () => {
    const roles = eks.findResources('AWS::IAM::Role', {
      Properties: {
        AssumeRolePolicyDocument: {
          Statement: [Match.objectLike({ Action: 'sts:AssumeRoleWithWebIdentity' })],
        },
      },
    });
    expect(Object.keys(roles)).toHaveLength(1);
    // The trust condition is computed from the cluster's OIDC issuer at deploy time.
    const [condition] = Object.values(eks.findResources('Custom::AWSCDKCfnJson'));
    expect(JSON.stringify(condition)).toContain('system:serviceaccount:skiff:skiff-users');
  });

  it('scopes that role to the users table and index and the avatars/ prefix, nothing else', () => {
    const policies = Object.entries(eks.findResources('AWS::IAM::Policy'));
    const [, policy] = policies.find(([logicalId]) => logicalId.startsWith('ClusterUsersPodsRole')) ?? [];
    const statements = policy?.Properties.PolicyDocument.Statement;
    expect(statements).toHaveLength(4);
    expect(statements[0]).toMatchObject({
      Action: [
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'dynamodb:Query',
        'dynamodb:DescribeTable',
      ],
    });
    expect(JSON.stringify(statements[0].Resource)).toContain('/index/allUsers');
    // The table's own key: its use, for reads and writes, on that key alone.
    expect(statements[1]).toMatchObject({
      Action: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'],
    });
    expect(JSON.stringify(statements[1].Resource)).toMatch(/UsersKey[0-9A-F]+Arn/);
    expect(statements[2]).toMatchObject({
      Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
      Resource: {
        'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::skiff-dev-users-avatars/avatars/*']],
      },
    });
    expect(statements[3]).toMatchObject({
      Action: 's3:ListBucket',
      Condition: { StringLike: { 's3:prefix': ['avatars/*'] } },
    });
  });

  it('installs the chart from this repository, bound to that service account, with the CI image', () => {
    eks.hasResourceProperties('Custom::AWSCDK-EKS-HelmChart', {
      Release: 'skiff',
      Namespace: 'skiff',
      ChartAssetURL: Match.anyValue(),
    });
    const [chart] = Object.values(eks.findResources('Custom::AWSCDK-EKS-HelmChart'));
    // Values are JSON joined with the repository URI at deploy time.
    const values = JSON.stringify(chart?.Properties.Values);
    for (const fragment of [
      '\\"services\\":\\"users\\"',
      '\\"tag\\":\\"1.2.3\\"',
      '\\"serviceAccount\\":{\\"create\\":false,\\"name\\":\\"skiff-users\\"}',
      '\\"SKIFF_STAGE\\":\\"dev\\"',
      '\\"publicUrl\\":\\"https://users.example.org\\"',
    ]) {
      expect(values).toContain(fragment);
    }
  });

  it('keeps images in a scanned, immutable ECR repository', () => {
    eks.hasResourceProperties('AWS::ECR::Repository', {
      RepositoryName: 'skiff-dev',
      ImageScanningConfiguration: { ScanOnPush: true },
      ImageTagMutability: 'IMMUTABLE',
    });
  });
});
