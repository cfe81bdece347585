import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface BatchWriteOptions {
  /** Batches in flight at once. */
  concurrency?: number;
  /** Rounds of retrying `UnprocessedItems` before giving up. */
  maxRetries?: number;
  /** First backoff in ms; doubles each round, with jitter. */
  backoffMs?: number;
}

type Request = { PutRequest: { Item: Record<string, unknown> } };

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function writeBatch(
  documents: DynamoDBDocumentClient,
  table: string,
  batch: Request[],
  options: Required<BatchWriteOptions>,
) {
  let pending = batch;
  for (let round = 0; pending.length > 0; round += 1) {
    if (round > options.maxRetries) {
      throw new Error(
        `BatchWriteItem left ${pending.length} item(s) unprocessed after ${options.maxRetries} retries`,
      );
    }
    if (round > 0) await pause(options.backoffMs * 2 ** (round - 1) * (0.5 + Math.random()));
    const { UnprocessedItems } = await documents.send(
      new BatchWriteCommand({ RequestItems: { [table]: pending } }),
    );
    pending = (UnprocessedItems?.[table] ?? []) as Request[];
  }
}

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
  let next = 0;
  const worker = async () => {
    while (next < batches.length) {
      const batch = batches[next++] as Request[];
      await writeBatch(documents, table, batch, { concurrency, maxRetries, backoffMs });
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, batches.length) }, worker));
}
