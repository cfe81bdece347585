import {
  ConditionalCheckFailedException,
  ProvisionedThroughputExceededException,
} from '@aws-sdk/client-dynamodb';
import { S3ServiceException } from '@aws-sdk/client-s3';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { registerProblemHandlers } from './problem.js';

// The embedded engines never throttle, so these faults are the SDK's own exception classes, thrown
// as a store would let them through once the SDK's retries are spent.
const metadata = { httpStatusCode: 400, attempts: 3 };
const faults: [string, () => Error, number][] = [
  [
    'DynamoDB throttling',
    () => new ProvisionedThroughputExceededException({ message: 'Rate exceeded', $metadata: metadata }),
    503,
  ],
  [
    'an S3 SlowDown',
    () =>
      new S3ServiceException({
        name: 'SlowDown',
        $fault: 'server',
        message: 'Reduce your request rate.',
        $metadata: { httpStatusCode: 503 },
      }),
    503,
  ],
  [
    'a write the table refused',
    () =>
      new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: metadata }),
    500,
  ],
  ['a bug', () => new TypeError("Cannot read properties of undefined (reading 'x')"), 500],
];

describe('an AWS fault that reaches the error handler', () => {
  it.each(faults)('%s answers %i', async (_case, fault, status) => {
    const app = Fastify();
    registerProblemHandlers(app, () => []);
    app.get('/thing', async () => {
      throw fault();
    });
    const response = await app.inject({ method: 'GET', url: '/thing' });
    expect(response.statusCode).toBe(status);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.headers['retry-after']).toBe(status === 503 ? '1' : undefined);
    expect(response.json()).toMatchObject({ status, instance: '/thing' });
    await app.close();
  });
});
