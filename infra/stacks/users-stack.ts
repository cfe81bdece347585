import { Aws, CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { physicalName } from '../../src/platform/resources.js';
import { avatarKeys } from '../../src/services/users/domain.js';
import { usersResources } from '../../src/services/users/resources.js';
import { CatalogTable } from '../constructs/catalog-table.js';
import { PrivateBucket } from '../constructs/private-bucket.js';
import type { Environment } from '../environments.js';

export interface UsersStackProps extends StackProps {
  environment: Environment;
}

/** Users' data: the users table and the private avatars bucket. Their compute is the EKS stack. */
export class UsersStack extends Stack {
  readonly table: CatalogTable;
  readonly avatars: PrivateBucket;
  readonly avatarsBucketName: string;

  constructor(scope: Construct, id: string, props: UsersStackProps) {
    super(scope, id, props);
    const { environment } = props;
    this.table = new CatalogTable(this, 'Users', {
      tableName: physicalName(environment.stage, 'users', 'users'),
      spec: usersResources.tables.users,
      environment,
      personalData: true,
    });
    this.avatarsBucketName = physicalName(environment.stage, 'users', 'avatars');
    this.avatars = new PrivateBucket(this, 'Avatars', {
      bucketName: this.avatarsBucketName,
      environment,
      // `POST /upload` with no user stores an image no one owns: it is gone after a day.
      expiringPrefixes: [{ prefix: avatarKeys.unattached(''), days: 1 }],
    });
    new CfnOutput(this, 'TableName', { value: this.table.table.tableName });
    new CfnOutput(this, 'AvatarsBucket', { value: this.avatars.bucket.bucketName });
  }

  /**
   * Exactly what the users service calls: its table and index, objects under `avatars/` in its
   * bucket, and ListBucket on that bucket under `avatars/` only (the readiness check lists there, and
   * S3 answers a missing key with 404 rather than 403 only to those who may list).
   */
  grantService(grantee: IGrantable): void {
    this.table.grantExactly(grantee, [
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:Query',
      'dynamodb:DescribeTable',
    ]);
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
        resources: [this.avatarObjectsArn],
      }),
    );
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [`arn:${Aws.PARTITION}:s3:::${this.avatarsBucketName}`],
        conditions: { StringLike: { 's3:prefix': [`${usersResources.buckets.avatars.listPrefix}*`] } },
      }),
    );
  }

  /** By name, not by reference: the pod role's policy reads the same in every stack that grants it. */
  get avatarObjectsArn(): string {
    return `arn:${Aws.PARTITION}:s3:::${this.avatarsBucketName}/avatars/*`;
  }
}
