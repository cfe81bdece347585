import { type DynamoDBDocumentClient, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { batchPut } from '../../platform/aws/batch-write.js';
import { unlessConditionFails } from '../../platform/aws/conditional-write.js';
import type { AuctionOutcome, Order, OrderInput } from './domain.js';

/** The orders port. */
export interface OrderStore {
  /** Stores (or replaces) orders as pending until `ttl`. */
  putPending(orders: OrderInput[], ttl: number, now: Date): Promise<void>;
  get(recordId: string): Promise<Order | undefined>;
  /** Pending orders not yet expired at `now`. */
  pending(now: Date, limit: number): Promise<Order[]>;
  /** Records the auction's answer for each order that is still pending. */
  recordOutcomes(outcomes: AuctionOutcome[], now: Date): Promise<void>;
}

const pendingMarker = 'pending';

function toOrder(item: Record<string, unknown>): Order {
  return {
    record_id: String(item.record_id),
    parameter_1: String(item.parameter_1),
    parameter_2: Number(item.parameter_2),
    status: item.status as Order['status'],
    ttl: Number(item.ttl),
    createdAt: String(item.createdAt),
    ...(typeof item.power === 'number' && { power: item.power }),
    ...(typeof item.decidedAt === 'string' && { decidedAt: item.decidedAt }),
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

    async pending(now, limit) {
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

    async recordOutcomes(outcomes, now) {
      const decidedAt = now.toISOString();
      const queue = [...outcomes];
      const worker = async () => {
        for (let outcome = queue.shift(); outcome; outcome = queue.shift()) {
          await unlessConditionFails(
            documents.send(
              new UpdateCommand({
                TableName: table,
                Key: { record_id: outcome.record_id },
                UpdateExpression: 'SET #status = :status, power = :power, decidedAt = :at REMOVE pendingKey',
                // Only orders still waiting: a re-posted or expired order is left as it is.
                ConditionExpression: 'pendingKey = :pending',
                ExpressionAttributeNames: { '#status': 'status' },
                ExpressionAttributeValues: {
                  ':status': outcome.status,
                  ':power': outcome.power,
                  ':at': decidedAt,
                  ':pending': pendingMarker,
                },
              }),
            ),
          );
        }
      };
      await Promise.all(Array.from({ length: 8 }, worker));
    },
  };
}
