import type { ResolvedResources } from '../resources.js';
import { type AwsClients, makerOf } from './client-set.js';

export interface ReadinessCheck {
  name: string;
  probe(signal: AbortSignal): Promise<void>;
}

/**
 * One check per table and bucket the mounted services use: that is exactly what must be reachable,
 * and it needs no permission beyond the services' own (no ListTables or ListAllMyBuckets on AWS).
 * The probes come with the DynamoDB and S3 makers, so a runtime without S3 carries no S3 code; a
 * service that declares a bucket but not the S3 maker fails here, at start.
 */
export function resourceChecks(aws: AwsClients, resources: ResolvedResources[]): ReadinessCheck[] {
  return resources.flatMap((r) => [...tableChecks(aws, r), ...bucketChecks(aws, r)]);
}

function tableChecks(aws: AwsClients, { tables }: ResolvedResources): ReadinessCheck[] {
  const names = Object.values(tables).map((t) => t.name);
  if (names.length === 0) return [];
  const dynamodb = makerOf(aws.makers, 'dynamodb');
  return names.map((name) => ({
    name: `dynamodb:${name}`,
    probe: (signal) => dynamodb.probeTable(aws.dynamodb, name, signal),
  }));
}

function bucketChecks(aws: AwsClients, { buckets }: ResolvedResources): ReadinessCheck[] {
  const list = Object.values(buckets);
  if (list.length === 0) return [];
  const s3 = makerOf(aws.makers, 's3');
  return list.map(({ name, spec }) => ({
    name: `s3:${name}`,
    probe: (signal) => s3.probeBucket(aws.s3, name, spec.listPrefix, signal),
  }));
}
