import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { HeadBucketCommand } from '@aws-sdk/client-s3';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveResources } from '../platform/resources.js';
import { provisionResources } from './provision.js';
import { startTestPlatform, type TestPlatform } from './test-platform.js';

const catalog = resolveResources('test', 'sample', {
  tables: {
    orders: {
      partitionKey: { name: 'pk', type: 'S' },
      sortKey: { name: 'sk', type: 'N' },
      ttlAttribute: 'ttl',
      globalIndexes: [
        { name: 'byStatus', partitionKey: { name: 'status', type: 'S' }, sortKey: { name: 'sk', type: 'N' } },
      ],
    },
  },
  buckets: { results: {} },
  topics: {},
});

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform();
});
afterAll(() => platform.stop());

describe('provisionResources', () => {
  it('creates tables with their keys and indexes, and buckets, and is safe to run again', async () => {
    const log = pino({ level: 'silent' });
    await provisionResources(platform.aws, [catalog], log);
    await provisionResources(platform.aws, [catalog], log);

    const { Table } = await platform.aws.dynamodb.send(
      new DescribeTableCommand({ TableName: 'skiff-test-sample-orders' }),
    );
    expect(Table?.KeySchema).toEqual([
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
    expect(Table?.AttributeDefinitions).toHaveLength(3);
    expect(Table?.GlobalSecondaryIndexes?.map((i) => i.IndexName)).toEqual(['byStatus']);
    await expect(
      platform.aws.s3.send(new HeadBucketCommand({ Bucket: 'skiff-test-sample-results' })),
    ).resolves.toBeDefined();
  });
});
