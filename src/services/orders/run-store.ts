import { type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { batchGet } from '../../platform/aws/batch-get.js';
import { batchPut } from '../../platform/aws/batch-write.js';

/** How a run ended, counted from the orders themselves once its deliveries are done. */
export interface RunSummary {
  runId: string;
  /** The auction seed the run used (simulated platform), so a run can be replayed. */
  seed: string;
  /** Orders in the run's batches. */
  orders: number;
  /** Delivered by this run: accepted results stored, rejection notices published. */
  settled: number;
  accepted: number;
  rejected: number;
  /** Not delivered, left pending for the next run. */
  left: number;
  /** Delivered or held by another run, or posted again meanwhile (undecided once more). */
  elsewhere: number;
  /** The kinds of fault that left orders undelivered, with how many each. */
  faults: Record<string, number>;
  summarizedAt: string;
}

/**
 * The runs table: each run's batches of order ids (so the state machine carries batch numbers, never
 * orders) and its summary. Items expire after 30 days.
 */
export interface RunStore {
  putBatches(runId: string, batches: string[][], now: Date): Promise<void>;
  batch(runId: string, index: number): Promise<string[]>;
  /** Every order id in the run's batches. */
  orderIds(runId: string): Promise<string[]>;
  putSummary(summary: RunSummary, now: Date): Promise<void>;
  summaries(runIds: string[]): Promise<Map<string, RunSummary>>;
}

const retentionSeconds = 30 * 86_400;
const batchPart = (index: number) => `batch#${String(index).padStart(4, '0')}`;
const expiresAt = (now: Date) => Math.floor(now.getTime() / 1000) + retentionSeconds;

export function dynamoRunStore(documents: DynamoDBDocumentClient, table: string): RunStore {
  return {
    async putBatches(runId, batches, now) {
      const items = batches.map((ids, index) => ({
        runId,
        part: batchPart(index),
        ids,
        expiresAt: expiresAt(now),
      }));
      await batchPut(documents, table, items);
    },

    async batch(runId, index) {
      const { Item } = await documents.send(
        new GetCommand({ TableName: table, Key: { runId, part: batchPart(index) }, ConsistentRead: true }),
      );
      if (!Item) throw new Error(`Run ${runId} has no batch ${index}`);
      return Item.ids as string[];
    },

    async orderIds(runId) {
      const ids: string[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const page = await documents.send(
          new QueryCommand({
            TableName: table,
            KeyConditionExpression: 'runId = :run AND begins_with(part, :batch)',
            ExpressionAttributeValues: { ':run': runId, ':batch': 'batch#' },
            ConsistentRead: true,
            ExclusiveStartKey: start,
          }),
        );
        for (const item of page.Items ?? []) ids.push(...(item.ids as string[]));
        start = page.LastEvaluatedKey;
      } while (start);
      return ids;
    },

    async putSummary(summary, now) {
      await documents.send(
        new PutCommand({
          TableName: table,
          Item: { ...summary, part: 'summary', expiresAt: expiresAt(now) },
        }),
      );
    },

    async summaries(runIds) {
      const items = await batchGet(
        documents,
        table,
        runIds.map((runId) => ({ runId, part: 'summary' })),
      );
      return new Map(
        items.map((item) => {
          const { part: _part, expiresAt: _expires, ...summary } = item;
          return [String(item.runId), summary as unknown as RunSummary];
        }),
      );
    },
  };
}
