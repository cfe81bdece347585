import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { batchGet } from '../../platform/aws/batch-get.js';
import { unlessConditionFails } from '../../platform/aws/conditional-write.js';
import { type DecidedOrder, runOfHolder } from './domain.js';
import { pendingMarker, toOrder } from './order-store.js';

/** Where an order stands at the end of a run, as the run's summary counts it. */
export interface OrderStanding {
  record_id: string;
  status?: string;
  decided: boolean;
  /** Still in the pending index: not delivered yet. */
  unsettled: boolean;
  settledBy?: string;
  claim?: string;
  claimUntil?: number;
  lastFault?: string;
}

/**
 * The delivery ledger, on the order items themselves. A run claims an order (a lease with a deadline)
 * before delivering it and settles it after, both with conditional writes, so two runs never deliver
 * one decision at once, and an order whose delivery failed stays pending for the next run.
 */
export interface SettlementStore {
  /** The decided, unsettled, unexpired order, now held by `holder` until `now + leaseMs`; else undefined. */
  claim(recordId: string, holder: string, now: Date, leaseMs: number): Promise<DecidedOrder | undefined>;
  /** Marks the order delivered (`delivery`: the S3 key or the notice's message id), if `holder` still holds it. */
  settle(recordId: string, holder: string, now: Date, delivery: string): Promise<boolean>;
  /** Lets go of a claim whose delivery failed, recording the fault's kind; the order stays pending. */
  release(recordId: string, holder: string, fault: string): Promise<void>;
  /**
   * Records the fault's kind on a claim kept: an order delivered whose settle failed stays held until
   * its lease runs out, so no run delivers it again at once, and the run's summary names the fault.
   */
  noteFault(recordId: string, holder: string, fault: string): Promise<void>;
  standings(recordIds: string[]): Promise<OrderStanding[]>;
}

export function dynamoSettlementStore(documents: DynamoDBDocumentClient, table: string): SettlementStore {
  const update = (
    recordId: string,
    input: Omit<ConstructorParameters<typeof UpdateCommand>[0], 'TableName' | 'Key'>,
  ) =>
    unlessConditionFails(
      documents.send(new UpdateCommand({ TableName: table, Key: { record_id: recordId }, ...input })),
    );

  /** Counts a fault on an order `holder` still holds; `more` may end the claim. */
  const faulted = async (recordId: string, holder: string, fault: string, more: string) => {
    await update(recordId, {
      UpdateExpression: `SET lastFault = :fault, faults = if_not_exists(faults, :zero) + :one${more}`,
      ConditionExpression: 'claim = :holder',
      ExpressionAttributeValues: { ':fault': fault, ':holder': holder, ':zero': 0, ':one': 1 },
    });
  };

  return {
    async claim(recordId, holder, now, leaseMs) {
      const answer = await update(recordId, {
        UpdateExpression: 'SET claim = :holder, claimUntil = :until',
        // Only an order no one holds, or whose holder's lease has run out (not even this run's retry),
        // or that this holder claimed already: a claim that landed, sent again by the SDK.
        ConditionExpression:
          'pendingKey = :pending AND attribute_exists(decidedAt) AND #ttl > :nowSeconds AND ' +
          '(attribute_not_exists(claimUntil) OR claimUntil < :now OR claim = :holder)',
        ExpressionAttributeNames: { '#ttl': 'ttl' },
        ExpressionAttributeValues: {
          ':holder': holder,
          ':until': now.getTime() + leaseMs,
          ':now': now.getTime(),
          ':nowSeconds': Math.floor(now.getTime() / 1000),
          ':pending': pendingMarker,
        },
        ReturnValues: 'ALL_NEW',
      });
      return answer?.Attributes ? (toOrder(answer.Attributes) as DecidedOrder) : undefined;
    },

    async settle(recordId, holder, now, delivery) {
      const answer = await update(recordId, {
        // `settledClaim`: a settle that landed and was sent again by the SDK finds it, and is settled.
        UpdateExpression:
          'SET settledAt = :at, settledBy = :run, delivery = :delivery, settledClaim = :holder ' +
          'REMOVE pendingKey, claim, claimUntil, lastFault',
        ConditionExpression: 'claim = :holder OR settledClaim = :holder',
        ExpressionAttributeValues: {
          ':at': now.toISOString(),
          ':run': runOfHolder(holder),
          ':holder': holder,
          ':delivery': delivery,
        },
      });
      return answer !== undefined;
    },

    release: (recordId, holder, fault) => faulted(recordId, holder, fault, ' REMOVE claim, claimUntil'),

    noteFault: (recordId, holder, fault) => faulted(recordId, holder, fault, ''),

    async standings(recordIds) {
      const items = await batchGet(
        documents,
        table,
        recordIds.map((record_id) => ({ record_id })),
        {
          expression: 'record_id, #status, decidedAt, pendingKey, settledBy, claim, claimUntil, lastFault',
          names: { '#status': 'status' },
        },
      );
      return items.map((item) => ({
        record_id: String(item.record_id),
        status: item.status as string | undefined,
        decided: typeof item.decidedAt === 'string',
        unsettled: item.pendingKey === pendingMarker,
        ...(typeof item.settledBy === 'string' && { settledBy: item.settledBy }),
        ...(typeof item.claim === 'string' && { claim: item.claim }),
        ...(typeof item.claimUntil === 'number' && { claimUntil: item.claimUntil }),
        ...(typeof item.lastFault === 'string' && { lastFault: item.lastFault }),
      }));
    },
  };
}
