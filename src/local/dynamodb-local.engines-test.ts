import { TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { physicalName } from '../platform/resources.js';
import { startTestPlatform, type TestPlatform } from './test-platform.js';

/**
 * `npm run test:engines` runs the suites on DynamoDB Local: this proves it is DynamoDB Local that
 * answers, not dynalite (which has no transactions), and that S3 stays the embedded one.
 */
let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform({ env: { SERVICES: 'greetings' } });
});
afterAll(() => platform.stop());

describe('the engines of npm run test:engines', () => {
  it('answer DynamoDB calls with AWS DynamoDB Local, which runs transactions', async () => {
    const TableName = physicalName('local', 'greetings', 'birthdays');
    await platform.aws.dynamodb.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          { Put: { TableName, Item: { username: { S: 'txn' }, dateOfBirth: { S: '2000-01-01' } } } },
        ],
      }),
    );
    const greeted = await platform.app.inject({ method: 'GET', url: '/hello/txn' });
    expect(greeted.statusCode).toBe(200);
    // DynamoDB elsewhere, S3 embedded: the start says which engines it runs itself.
    const ready = platform.logs().find((line) => line.msg === 'engines ready');
    expect(ready).toMatchObject({ embedded: ['s3'] });
    expect(platform.endpoints.dynamodb).not.toBe(platform.endpoints.s3);
  });
});
