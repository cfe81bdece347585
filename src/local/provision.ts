import {
  CreateTableCommand,
  type CreateTableCommandInput,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import type { Logger } from 'pino';
import type { AwsClients } from '../platform/aws/clients.js';
import type { KeyAttribute, ResolvedResources, TableSpec } from '../platform/resources.js';

function keySchema(partitionKey: KeyAttribute, sortKey?: KeyAttribute) {
  return [
    { AttributeName: partitionKey.name, KeyType: 'HASH' as const },
    ...(sortKey ? [{ AttributeName: sortKey.name, KeyType: 'RANGE' as const }] : []),
  ];
}

/** The CreateTable request for a catalog entry: on-demand, with its global indexes. */
export function createTableInput(name: string, spec: TableSpec): CreateTableCommandInput {
  const keys = [
    spec.partitionKey,
    spec.sortKey,
    ...(spec.globalIndexes ?? []).flatMap((i) => [i.partitionKey, i.sortKey]),
  ].filter((k): k is KeyAttribute => k !== undefined);
  const attributes = [...new Map(keys.map((k) => [k.name, k])).values()];
  return {
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: attributes.map((k) => ({ AttributeName: k.name, AttributeType: k.type })),
    KeySchema: keySchema(spec.partitionKey, spec.sortKey),
    GlobalSecondaryIndexes: spec.globalIndexes?.map((index) => ({
      IndexName: index.name,
      KeySchema: keySchema(index.partitionKey, index.sortKey),
      Projection: { ProjectionType: 'ALL' },
    })),
  };
}

async function ensureTable(aws: AwsClients, name: string, spec: TableSpec, log: Logger): Promise<void> {
  try {
    await aws.dynamodb.send(new CreateTableCommand(createTableInput(name, spec)));
    // Engines answer CreateTable while the table is still CREATING; the first write must wait for it.
    await waitUntilTableExists(
      { client: aws.dynamodb, maxWaitTime: 60, minDelay: 0.05, maxDelay: 1 },
      { TableName: name },
    );
    log.info({ table: name }, 'table created');
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  if (!spec.ttlAttribute) return;
  const ttl = {
    TableName: name,
    TimeToLiveSpecification: { AttributeName: spec.ttlAttribute, Enabled: true },
  };
  // dynalite has no TTL at all (readers filter expired items anyway); LocalStack does.
  await aws.dynamodb.send(new UpdateTimeToLiveCommand(ttl)).catch((error: Error) => {
    log.debug({ table: name, reason: error.name }, 'time to live not enabled by this engine');
  });
}

async function ensureBucket(aws: AwsClients, name: string, log: Logger): Promise<void> {
  try {
    await aws.s3.send(new CreateBucketCommand({ Bucket: name }));
    log.info({ bucket: name }, 'bucket created');
  } catch (error) {
    // s3rver answers BucketAlreadyExists where AWS and LocalStack answer BucketAlreadyOwnedByYou.
    if (!['BucketAlreadyOwnedByYou', 'BucketAlreadyExists'].includes((error as Error).name)) throw error;
  }
}

/** Creates every declared table and bucket that does not exist yet; safe to run at every start. */
export async function provisionResources(
  aws: AwsClients,
  resources: ResolvedResources[],
  log: Logger,
): Promise<void> {
  for (const { tables, buckets } of resources) {
    for (const { name, spec } of Object.values(tables)) await ensureTable(aws, name, spec, log);
    for (const { name } of Object.values(buckets)) await ensureBucket(aws, name, log);
  }
}
