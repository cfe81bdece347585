import { BatchGetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { untilProcessed } from './unprocessed.js';

/**
 * Gets items by key with BatchGetItem, 100 keys per call (the API's limit), retrying the keys DynamoDB
 * hands back unprocessed (throttling) with exponential backoff. Missing items are simply absent.
 */
export async function batchGet(
  documents: DynamoDBDocumentClient,
  table: string,
  keys: Record<string, unknown>[],
  projection?: { expression: string; names: Record<string, string> },
  { maxRetries = 8, backoffMs = 25 } = {},
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  for (let i = 0; i < keys.length; i += 100) {
    await untilProcessed(
      keys.slice(i, i + 100),
      async (pending) => {
        const answer = await documents.send(
          new BatchGetCommand({
            RequestItems: {
              [table]: {
                Keys: pending,
                ConsistentRead: true,
                ...(projection && {
                  ProjectionExpression: projection.expression,
                  ExpressionAttributeNames: projection.names,
                }),
              },
            },
          }),
        );
        items.push(...(answer.Responses?.[table] ?? []));
        return (answer.UnprocessedKeys?.[table]?.Keys ?? []) as Record<string, unknown>[];
      },
      { maxRetries, backoffMs, what: 'BatchGetItem' },
    );
  }
  return items;
}
