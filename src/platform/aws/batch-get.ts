import { BatchGetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

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
    let pending = keys.slice(i, i + 100);
    for (let round = 0; pending.length > 0; round += 1) {
      if (round > maxRetries) throw new Error(`BatchGetItem left ${pending.length} key(s) unprocessed`);
      if (round > 0) await pause(backoffMs * 2 ** (round - 1) * (0.5 + Math.random()));
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
      pending = (answer.UnprocessedKeys?.[table]?.Keys ?? []) as Record<string, unknown>[];
    }
  }
  return items;
}
