import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBMaker } from '../client-set.js';

export const dynamodbMaker: DynamoDBMaker = {
  client: ({ common, endpoints }) => new DynamoDBClient({ ...common, endpoint: endpoints.dynamodb }),
  documents: ({ common, endpoints }) =>
    DynamoDBDocumentClient.from(
      new DynamoDBClient({ ...common, cacheMiddleware: false, endpoint: endpoints.dynamodb }),
      { marshallOptions: { removeUndefinedValues: true } },
    ),
  probeTable: async (client, table, abortSignal) => {
    await client.send(new DescribeTableCommand({ TableName: table }), { abortSignal });
  },
};
