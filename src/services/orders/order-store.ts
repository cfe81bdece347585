import { type DynamoDBDocumentClient, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { batchPut } from '../../platform/aws/batch-write.js';
import { unlessConditionFails } from '../../platform/aws/conditional-write.js';
import { mapConcurrently } from '../../platform/concurrency.js';
import type { AuctionOutcome, Order, OrderInput } from './domain.js';

/** The orders port: what the API and the pipeline's FetchResults need. */
export interface OrderStore {
  /** Stores (or replaces) orders as pending and undecided until `ttl`. */
  putPending(orders: OrderInput[], ttl: number, now: Date): Promise<void>;
  get(recordId: string): Promise<Order | undefined>;
  /** Orders not yet settled (undecided, or decided and not delivered) and not expired at `now`. */
  unsettled(now: Date, limit: number): Promise<Order[]>;
  /** Records the auction's answer for each order still undecided; a decided order keeps its first answer. */
  recordOutcomes(outcomes: AuctionOutcome[], runId: string, now: Date): Promise<void>;
}

/** The sparse index key every unsettled order carries, and only they. */
export const pendingMarker = 'pending';

export function toOrder(item: Record<string, unknown>): Order {
  const optional = (name: string) => (typeof item[name] === 'string' ? { [name]: item[name] } : {});
  return {
    record_id: String(item.record_id),
    parameter_1: String(item.parameter_1),
    parameter_2: Number(item.parameter_2),
    status: item.status as Order['status'],
    ttl: Number(item.ttl),
    createdAt: String(item.createdAt),
    ...(typeof item.power === 'number' && { power: item.power }),
    ...optional('decidedAt'),
    ...optional('decidedBy'),
    ...optional('settledAt'),
  };
}

export function dynamoOrderStore(documents: DynamoDBDocumentClient, table: string): OrderStore {
  return {
    async putPending(orders, ttl, now) {
      const createdAt = now.toISOString();
      const items = orders.map((order) => ({
        ...order,
        status: 'pending',
        pendingKey: pendingMarker,
        ttl,
        createdAt,
      }));
      await batchPut(documents, table, items);
    },

    async get(recordId) {
      const { Item } = await documents.send(
        new GetCommand({ TableName: table, Key: { record_id: recordId }, ConsistentRead: true }),
      );
      return Item ? toOrder(Item) : undefined;
    },

    async unsettled(now, limit) {
      const orders: Order[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const page = await documents.send(
          new QueryCommand({
            TableName: table,
            IndexName: 'pendingOrders',
            KeyConditionExpression: 'pendingKey = :pending',
            FilterExpression: '#ttl > :now',
            ExpressionAttributeNames: { '#ttl': 'ttl' },
            ExpressionAttributeValues: {
              ':pending': pendingMarker,
              ':now': Math.floor(now.getTime() / 1000),
            },
            ExclusiveStartKey: start,
          }),
        );
        orders.push(...(page.Items ?? []).map(toOrder));
        start = page.LastEvaluatedKey;
      } while (start && orders.length < limit);
      return orders.slice(0, limit);
    },

    async recordOutcomes(outcomes, runId, now) {
      const decidedAt = now.toISOString();
      await mapConcurrently(outcomes, 8, (outcome) =>
        unlessConditionFails(
          documents.send(
            new UpdateCommand({
              TableName: table,
              Key: { record_id: outcome.record_id },
              UpdateExpression: 'SET #status = :status, power = :power, decidedAt = :at, decidedBy = :run',
              // Decided once: a decided order keeps its answer, and a re-posted or expired one is left alone.
              ConditionExpression: 'pendingKey = :pending AND attribute_not_exists(decidedAt)',
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: {
                ':status': outcome.status,
                ':power': outcome.power,
                ':at': decidedAt,
                ':run': runId,
                ':pending': pendingMarker,
              },
            }),
          ),
        ),
      );
    },
  };
}
