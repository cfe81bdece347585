import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unlessConditionFails } from '../../platform/aws/conditional-write.js';

/**
 * What a request with an `Idempotency-Key` finds when it starts:
 * - `started`: it owns the key now; `donationId` is the id of the key's one donation (made when the
 *   key was first used, so a key used again after it expired makes a new donation with a new id);
 *   `lastAttempt` is the donation number an earlier owner was trying when it stopped (it may or may
 *   not have been recorded);
 * - `completed`: a request with this key finished; replay its response;
 * - `mismatch`: the key was used with a different request;
 * - `busy`: another request with this key is running now.
 */
export type KeyClaim =
  | { state: 'started'; donationId: string; lastAttempt?: number }
  | { state: 'completed'; response: unknown }
  | { state: 'mismatch' }
  | { state: 'busy'; lockedUntil: number };

export interface IdempotencyStore {
  claim(key: string, fingerprint: string, token: string, now: Date): Promise<KeyClaim>;
  /** Remembers the donation number about to be tried, so a successor can tell whether it took. */
  noteAttempt(key: string, token: string, n: number): Promise<void>;
  complete(key: string, token: string, response: unknown): Promise<void>;
}

export const keyLifetimeSeconds = 24 * 60 * 60;
/** How long a request may hold a key before another may take over: well past the Lambda timeout. */
export const keyLeaseMs = 30_000;

const itemKey = (key: string) => ({ pk: `IDEMPOTENCY#${key}`, sk: 'IDEMPOTENCY' });

/** The claim of a key this request holds, with what earlier holders left on it. */
function startedFrom({ lastAttempt, donationId }: Record<string, unknown>): KeyClaim {
  return {
    state: 'started',
    donationId: String(donationId),
    ...(typeof lastAttempt === 'number' && { lastAttempt }),
  };
}

export function dynamoIdempotencyStore(documents: DynamoDBDocumentClient, table: string): IdempotencyStore {
  const conditional = (command: PutCommand | UpdateCommand) =>
    unlessConditionFails(documents.send(command as UpdateCommand));

  /** An update only the key's current owner (its token) may make; the owner losing it is an error. */
  const ownerUpdate = (key: string, token: string, expression: string, names: object, values: object) =>
    documents.send(
      new UpdateCommand({
        TableName: table,
        Key: itemKey(key),
        UpdateExpression: expression,
        ConditionExpression: '#token = :token',
        ExpressionAttributeNames: { '#token': 'token', ...names },
        ExpressionAttributeValues: { ':token': token, ...values },
      }),
    );

  /** A new key, or one whose record has expired (AWS deletes expired items late; dynalite never). */
  const create = (key: string, fingerprint: string, token: string, now: Date) =>
    conditional(
      new PutCommand({
        TableName: table,
        Item: {
          ...itemKey(key),
          status: 'in_progress',
          fingerprint,
          token,
          // The first owner's token, unique per use of the key, names the donation for every owner after.
          donationId: token,
          lockedUntil: now.getTime() + keyLeaseMs,
          expiresAt: Math.floor(now.getTime() / 1000) + keyLifetimeSeconds,
        },
        ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :nowSeconds',
        ExpressionAttributeValues: { ':nowSeconds': Math.floor(now.getTime() / 1000) },
      }),
    );

  /** Takes over a key whose holder stopped without finishing, keeping what it noted. */
  const takeOver = (key: string, fingerprint: string, token: string, now: Date) =>
    conditional(
      new UpdateCommand({
        TableName: table,
        Key: itemKey(key),
        UpdateExpression: 'SET #token = :token, lockedUntil = :until',
        ConditionExpression: '#status = :inProgress AND fingerprint = :fingerprint AND lockedUntil < :now',
        ExpressionAttributeNames: { '#token': 'token', '#status': 'status' },
        ExpressionAttributeValues: {
          ':token': token,
          ':until': now.getTime() + keyLeaseMs,
          ':inProgress': 'in_progress',
          ':fingerprint': fingerprint,
          ':now': now.getTime(),
        },
        ReturnValues: 'ALL_NEW',
      }),
    );

  return {
    async claim(key, fingerprint, token, now) {
      if (await create(key, fingerprint, token, now)) return { state: 'started', donationId: token };
      const taken = await takeOver(key, fingerprint, token, now);
      if (taken) return startedFrom(taken.Attributes ?? {});
      const { Item } = await documents.send(
        new GetCommand({ TableName: table, Key: itemKey(key), ConsistentRead: true }),
      );
      if (!Item) return this.claim(key, fingerprint, token, now);
      if (Item.fingerprint !== fingerprint) return { state: 'mismatch' };
      // Ours: a create or takeover whose answer was lost landed, and the SDK's retry then failed.
      if (Item.status === 'in_progress' && Item.token === token) return startedFrom(Item);
      if (Item.status === 'completed')
        return { state: 'completed', response: JSON.parse(String(Item.response)) };
      return { state: 'busy', lockedUntil: Number(Item.lockedUntil) };
    },

    async noteAttempt(key, token, n) {
      await ownerUpdate(key, token, 'SET lastAttempt = :n', {}, { ':n': n });
    },

    async complete(key, token, response) {
      await ownerUpdate(
        key,
        token,
        'SET #status = :completed, #response = :response REMOVE lockedUntil',
        { '#status': 'status', '#response': 'response' },
        { ':completed': 'completed', ':response': JSON.stringify(response) },
      );
    },
  };
}
