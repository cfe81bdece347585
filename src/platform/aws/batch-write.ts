import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mapConcurrently } from '../concurrency.js';
import { untilProcessed } from './unprocessed.js';

export interface BatchWriteOptions {
  /** Batches in flight at once. */
  concurrency?: number;
  /** Rounds of retrying `UnprocessedItems` before giving up. */
  maxRetries?: number;
  /** First backoff in ms; doubles each round, with jitter. */
  backoffMs?: number;
}

type Request = { PutRequest: { Item: Record<string, unknown> } };

/**
 * Puts items with BatchWriteItem, 25 per call (the API's limit), a few calls in flight, retrying the
 * items DynamoDB hands back unprocessed (throttling) with exponential backoff.
 */
export async function batchPut(
  documents: DynamoDBDocumentClient,
  table: string,
  items: Record<string, unknown>[],
  { concurrency = 4, maxRetries = 8, backoffMs = 25 }: BatchWriteOptions = {},
): Promise<void> {
  const batches: Request[][] = [];
  for (let i = 0; i < items.length; i += 25) {
    batches.push(items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })));
  }
  await mapConcurrently(batches, concurrency, (batch) =>
    untilProcessed(
      batch,
      async (pending) => {
        const { UnprocessedItems } = await documents.send(
          new BatchWriteCommand({ RequestItems: { [table]: pending } }),
        );
        return (UnprocessedItems?.[table] ?? []) as Request[];
      },
      { maxRetries, backoffMs, what: 'BatchWriteItem' },
    ),
  );
}
