import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBMaker } from '../client-set.js';

/**
 * The low-level client refuses lib-dynamodb's commands (`GetCommand` and the like, which carry the
 * low-level command they wrap as `clientCommand`; lib-dynamodb exports no base class to test for).
 * Such a command resolves to a handler bound to its first instance, so with this client's handler
 * cache on, a second `GetCommand` would silently send the first one's key. They belong on
 * `documents`. Without this check the mistake compiles and, but for the cache, works.
 */
function refusingDocumentCommands(client: DynamoDBClient): DynamoDBClient {
  const send = client.send.bind(client) as (command: object, ...rest: unknown[]) => Promise<unknown>;
  const checked = (command: object, ...rest: unknown[]) =>
    'clientCommand' in command
      ? Promise.reject(
          new TypeError(
            `${command.constructor.name} is a document-client command: send it with aws.documents`,
          ),
        )
      : send(command, ...rest);
  client.send = checked as typeof client.send;
  return client;
}

export const dynamodbMaker: DynamoDBMaker = {
  client: ({ common, endpoints }) =>
    refusingDocumentCommands(new DynamoDBClient({ ...common, endpoint: endpoints.dynamodb })),
  documents: ({ common, endpoints }) => {
    const client = new DynamoDBClient({ ...common, cacheMiddleware: false, endpoint: endpoints.dynamodb });
    const documents = DynamoDBDocumentClient.from(client, {
      marshallOptions: { removeUndefinedValues: true },
    });
    // lib-dynamodb's destroy() does nothing; this DynamoDB client is the document client's alone.
    documents.destroy = () => client.destroy();
    return documents;
  },
  probeTable: async (client, table, abortSignal) => {
    await client.send(new DescribeTableCommand({ TableName: table }), { abortSignal });
  },
};
