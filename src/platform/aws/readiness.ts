import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { HeadBucketCommand, ListBucketsCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { ResolvedResources } from '../resources.js';
import type { AwsClients } from './clients.js';

export interface ReadinessCheck {
  name: string;
  probe(signal: AbortSignal): Promise<void>;
}

/**
 * One check per table and bucket the mounted services use: that is exactly what must be reachable,
 * and it needs no permission beyond the services' own (no ListTables or ListAllMyBuckets on AWS).
 */
export function resourceChecks(aws: AwsClients, resources: ResolvedResources[]): ReadinessCheck[] {
  return resources.flatMap((r) => [
    ...Object.values(r.tables).map(({ name }) => ({
      name: `dynamodb:${name}`,
      probe: async (abortSignal: AbortSignal) => {
        await aws.dynamodb.send(new DescribeTableCommand({ TableName: name }), { abortSignal });
      },
    })),
    ...Object.values(r.buckets).map(({ name, spec }) => ({
      name: `s3:${name}`,
      probe: async (abortSignal: AbortSignal) => {
        const prefix = spec.listPrefix;
        const command =
          prefix === undefined
            ? new HeadBucketCommand({ Bucket: name })
            : new ListObjectsV2Command({ Bucket: name, Prefix: prefix, MaxKeys: 1 });
        await aws.s3.send(command as HeadBucketCommand, { abortSignal });
      },
    })),
  ]);
}

/** Local mode also checks the embedded S3 itself, which no service may need yet. */
export function s3EngineCheck(aws: AwsClients): ReadinessCheck {
  return {
    name: 's3',
    probe: async (abortSignal) => {
      await aws.s3.send(new ListBucketsCommand({}), { abortSignal });
    },
  };
}
