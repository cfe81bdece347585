import type { GetItemCommandInput } from '@aws-sdk/client-dynamodb';
import { localCredentials } from '../../src/local/engines.js';
import { clientOptionsFrom, createAwsClients } from '../../src/platform/aws/clients.js';
import { loadConfig } from '../../src/platform/config.js';
import { physicalName } from '../../src/platform/resources.js';

/**
 * P2's DynamoDB call, for the processes that make it without the platform (the raw loop, the bare
 * Fastify route): what the greetings store sends for `GET /hello/{username}`
 * (src/services/greetings/store.ts), field for field.
 */
export const greetingsGetItem = (username: string): GetItemCommandInput => ({
  TableName: physicalName('local', 'greetings', 'birthdays'),
  Key: { username: { S: username } },
  ConsistentRead: true,
  ProjectionExpression: 'dateOfBirth',
});

/** A DynamoDB client with the platform's own options (createAwsClients), on AWS_ENDPOINT_URL_DYNAMODB. */
export function benchDynamoDB() {
  const config = loadConfig();
  return createAwsClients(
    clientOptionsFrom(config, { dynamodb: config.endpoints.dynamodb }, { credentials: localCredentials }),
  ).dynamodb;
}
