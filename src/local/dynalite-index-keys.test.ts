import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateTableCommand,
  DynamoDBClient,
  PutItemCommand,
  QueryCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { Level } from 'level';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type EmbeddedDynamo, startEmbeddedDynamo } from './dynamo-engine.js';
import { localCredentials } from './engines.js';

/**
 * The patched dynalite (decision 0020) keys an index entry by the old key, then the whole table
 * key. A data folder written before the patch holds entries under the old, shorter key only: this
 * makes one by hand, then rewrites the item with a new index value, and the old entry must go.
 * Without the patch's extra delete, the item stays listed under its old index value for good.
 */
const table = 'legacy-keys';
const entryPrefix = `index-global~${table}~byG~`;
let dataDir: string;
let engine: EmbeddedDynamo | undefined;
let dynamodb: DynamoDBClient;

async function startEngine() {
  engine = await startEmbeddedDynamo({ host: '127.0.0.1', dynamodbPort: 0, dataDir });
  dynamodb = new DynamoDBClient({ endpoint: engine.url, region: 'eu-west-1', credentials: localCredentials });
}

async function stopEngine() {
  dynamodb.destroy();
  await engine?.close();
  engine = undefined;
}

const putItem = (g: string) =>
  dynamodb.send(new PutItemCommand({ TableName: table, Item: { pk: { S: 'a' }, g: { S: g } } }));

async function keysUnder(g: string): Promise<string[]> {
  const { Items = [] } = await dynamodb.send(
    new QueryCommand({
      TableName: table,
      IndexName: 'byG',
      KeyConditionExpression: 'g = :g',
      ExpressionAttributeValues: { ':g': { S: g } },
    }),
  );
  return Items.map((item) => item.pk?.S ?? '');
}

/** Moves the item's one index entry to the key dynalite 4.0.0 gave it: without `/` and the table key. */
async function rewriteAsUnpatched() {
  const db = new Level<string, unknown>(join(dataDir, 'dynamodb'), { valueEncoding: 'json' });
  const entries = await db.iterator({ gte: entryPrefix, lt: `${entryPrefix}~` }).all();
  expect(entries).toHaveLength(1);
  const [[key, item]] = entries as [[string, unknown]];
  // The index key (a hash prefix, then `/`, the value in hex and `/`), six hex digits of the table
  // key's hash, then `/` and the table key: the last two parts are the patch's.
  const value = `/${Buffer.from('one').toString('hex')}/`;
  const legacy = key.slice(0, key.indexOf(value) + value.length + 6);
  expect(key.slice(legacy.length, legacy.length + 1)).toBe('/');
  await db.batch([
    { type: 'del', key },
    { type: 'put', key: legacy, value: item },
  ]);
  await db.close();
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'skiff-dynalite-'));
  await startEngine();
  await dynamodb.send(
    new CreateTableCommand({
      TableName: table,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'g', AttributeType: 'S' },
      ],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'byG',
          KeySchema: [{ AttributeName: 'g', KeyType: 'HASH' }],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    }),
  );
  await waitUntilTableExists(
    { client: dynamodb, maxWaitTime: 30, minDelay: 0.05, maxDelay: 0.2 },
    { TableName: table },
  );
  await putItem('one');
  await stopEngine();
  await rewriteAsUnpatched();
  await startEngine();
});

afterAll(async () => {
  await stopEngine();
  await rm(dataDir, { recursive: true, force: true });
});

it('reads an entry written before the patch, and drops it when the item is written again', async () => {
  expect(await keysUnder('one')).toEqual(['a']);
  await putItem('two');
  expect(await keysUnder('one')).toEqual([]);
  expect(await keysUnder('two')).toEqual(['a']);
});
