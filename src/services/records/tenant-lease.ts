import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unlessConditionFails } from '../../platform/aws/conditional-write.js';

/**
 * One worker at a time per tenant, across processes and Lambdas: the holder ingests the tenant's
 * files one after another, oldest first, so a newer file's rows are always written after an older
 * one's. The lease has a deadline (`until`) that the holder renews while it works; a dead holder's
 * lease lapses and the next worker takes over.
 *
 * The item also holds `pending`, the ids of uploads waiting for the holder. A worker that finds the
 * lease taken has already added its upload there, and the holder may only let go once `pending` is
 * empty: a strongly consistent hand-over that never relies on the (eventually consistent) index.
 */
export interface TenantLease {
  /** Notes that `uploadId` waits for the tenant's worker. */
  enqueue(tenant: string, uploadId: string): Promise<void>;
  /** Takes the lease for `holder`; the pending ids, or undefined while another holds it. */
  acquire(tenant: string, holder: string, now: Date, ms: number): Promise<string[] | undefined>;
  /** Extends the deadline; false if the lease was lost (it lapsed and another took it). */
  renew(tenant: string, holder: string, now: Date, ms: number): Promise<boolean>;
  /** Takes settled ids off `pending` and extends the deadline; false if the lease was lost. */
  settle(tenant: string, holder: string, uploadIds: string[], now: Date, ms: number): Promise<boolean>;
  /**
   * Lets go when nothing is pending (undefined); otherwise keeps the lease and answers what is
   * pending. With `force` (after a fault), lets go whatever is pending.
   */
  release(tenant: string, holder: string, force?: boolean): Promise<string[] | undefined>;
}

const key = (tenant: string) => ({ pk: `T#${tenant}`, sk: 'LEASE' });

export function dynamoTenantLease(documents: DynamoDBDocumentClient, table: string): TenantLease {
  const extend = (tenant: string, holder: string, now: Date, ms: number, uploadIds: string[] = []) =>
    unlessConditionFails(
      documents.send(
        new UpdateCommand({
          TableName: table,
          Key: key(tenant),
          UpdateExpression: `SET #until = :until${uploadIds.length > 0 ? ' DELETE pending :ids' : ''}`,
          ConditionExpression: 'holder = :me',
          ExpressionAttributeNames: { '#until': 'until' },
          ExpressionAttributeValues: {
            ':until': now.getTime() + ms,
            ':me': holder,
            ...(uploadIds.length > 0 && { ':ids': new Set(uploadIds) }),
          },
        }),
      ),
    ).then((done) => done !== undefined);

  return {
    async enqueue(tenant, uploadId) {
      await documents.send(
        new UpdateCommand({
          TableName: table,
          Key: key(tenant),
          UpdateExpression: 'ADD pending :id',
          ExpressionAttributeValues: { ':id': new Set([uploadId]) },
        }),
      );
    },

    async acquire(tenant, holder, now, ms) {
      const taken = await unlessConditionFails(
        documents.send(
          new UpdateCommand({
            TableName: table,
            Key: key(tenant),
            UpdateExpression: 'SET holder = :me, #until = :until',
            ConditionExpression: 'attribute_not_exists(holder) OR #until < :now OR holder = :me',
            ExpressionAttributeNames: { '#until': 'until' },
            ExpressionAttributeValues: { ':me': holder, ':until': now.getTime() + ms, ':now': now.getTime() },
            ReturnValues: 'ALL_NEW',
          }),
        ),
      );
      if (!taken) return undefined;
      return [...((taken.Attributes?.pending as Set<string> | undefined) ?? [])];
    },

    renew: (tenant, holder, now, ms) => extend(tenant, holder, now, ms),

    settle: (tenant, holder, uploadIds, now, ms) => extend(tenant, holder, now, ms, uploadIds),

    async release(tenant, holder, force = false) {
      const released = await unlessConditionFails(
        documents.send(
          new UpdateCommand({
            TableName: table,
            Key: key(tenant),
            UpdateExpression: 'REMOVE holder, #until',
            ConditionExpression: force ? 'holder = :me' : 'holder = :me AND attribute_not_exists(pending)',
            ExpressionAttributeNames: { '#until': 'until' },
            ExpressionAttributeValues: { ':me': holder },
          }),
        ),
      );
      if (released || force) return undefined;
      const item = (
        await documents.send(new GetCommand({ TableName: table, Key: key(tenant), ConsistentRead: true }))
      ).Item;
      // Lost to another holder: it has the pending ids now.
      if (item?.holder !== holder) return undefined;
      return [...((item.pending as Set<string> | undefined) ?? [])];
    },
  };
}
