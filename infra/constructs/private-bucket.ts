import { Duration } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type IBucket,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { Environment } from '../environments.js';

export interface PrivateBucketProps {
  bucketName: string;
  environment: Environment;
  /** Days a replaced or deleted object version is kept before it expires. */
  noncurrentVersionDays?: number;
  /** Days after which current objects expire too; unset keeps them. */
  expirationDays?: number;
  /** A customer-managed key, for personal data; S3-managed otherwise. */
  encryptionKey?: IKey;
  /** Objects under a prefix that expire after so many days (e.g. uploads no one claimed). */
  expiringPrefixes?: { prefix: string; days: number }[];
}

/**
 * A bucket no one can make public: all public access blocked, ACLs disabled, encrypted, TLS only,
 * versioned, old versions expiring, access logged to a sibling log bucket.
 */
export class PrivateBucket extends Construct {
  readonly bucket: IBucket;

  constructor(
    scope: Construct,
    id: string,
    {
      bucketName,
      environment,
      noncurrentVersionDays = 30,
      expirationDays,
      encryptionKey,
      expiringPrefixes = [],
    }: PrivateBucketProps,
  ) {
    super(scope, id);
    const common = {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      removalPolicy: environment.removalPolicy,
      autoDeleteObjects: false,
    };
    const accessLogs = new Bucket(this, 'AccessLogs', {
      ...common,
      lifecycleRules: [{ expiration: Duration.days(environment.stage === 'prod' ? 365 : 30) }],
    });
    this.bucket = new Bucket(this, 'Bucket', {
      ...common,
      bucketName,
      versioned: true,
      ...(encryptionKey && { encryption: BucketEncryption.KMS, encryptionKey, bucketKeyEnabled: true }),
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: `${bucketName}/`,
      lifecycleRules: [
        { noncurrentVersionExpiration: Duration.days(noncurrentVersionDays) },
        { abortIncompleteMultipartUploadAfter: Duration.days(1) },
        ...(expirationDays ? [{ expiration: Duration.days(expirationDays) }] : []),
        ...expiringPrefixes.map(({ prefix, days }) => ({ prefix, expiration: Duration.days(days) })),
      ],
    });
  }
}
