import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { unlessConditionFails } from '../../platform/aws/conditional-write.js';
import type { Donation, DonorSummary, ThankYouStatus } from './domain.js';

/** A donation as stored: its number in the donor's sequence is its identity within the donor. */
export interface SequencedDonation extends Donation {
  donationCount: number;
}

export interface DonationPage {
  items: SequencedDonation[];
  /** The number of the last donation returned, when older ones follow. */
  nextBefore?: number;
}

/** The donations port: an append-only numbered log per donor, a summary, and the thank-you state. */
export interface LedgerStore {
  /** The summary, first counting any recorded donations a stopped writer left uncounted. */
  summary(donorId: string, thankYouThreshold: number): Promise<DonorSummary | undefined>;
  /**
   * Gives the donation the next free number. `beforeAttempt(n)` runs before number n is tried, so a
   * caller can remember it and, after a crash, ask `donationAt(n)` whether the attempt took.
   */
  append(donation: Donation, beforeAttempt?: (n: number) => Promise<void>): Promise<number>;
  donationAt(donorId: string, n: number): Promise<SequencedDonation | undefined>;
  /** Counts donations into the summary up to number `n` (helping other writers on the way). */
  countUpTo(donorId: string, n: number, thankYouThreshold: number): Promise<DonorSummary>;
  list(donorId: string, limit: number, before?: number): Promise<DonationPage>;
  /** Takes the right to publish a pending thank-you until `leaseUntil`; undefined if not pending. */
  claimThankYou(
    donorId: string,
    token: string,
    now: Date,
    leaseMs: number,
  ): Promise<ThankYouClaim | undefined>;
  markThankYouSent(donorId: string, token: string, sentAt: Date, messageId: string): Promise<boolean>;
  releaseThankYou(donorId: string, token: string, reason: string): Promise<void>;
  /** Donors whose thank-you is pending or whose publisher's lease may have lapsed. */
  pendingThankYous(): Promise<string[]>;
}

export interface ThankYouClaim {
  donorId: string;
  donationCount: number;
  email?: string;
  attempts: number;
}

const donorKey = (donorId: string) => `DONOR#${donorId}`;
const donationKey = (n: number) => `DONATION#${String(n).padStart(10, '0')}`;
const summaryKey = 'SUMMARY';
const pendingMarker = 'pending';
const totalPrefix = 'total_';

function toDonation(item: Record<string, unknown>): SequencedDonation {
  return {
    donationId: String(item.donationId),
    donorId: String(item.donorId),
    amount: Number(item.amount),
    currency: String(item.currency),
    createdAt: String(item.createdAt),
    donationCount: Number(item.donationCount),
    ...(typeof item.email === 'string' && { email: item.email }),
  };
}

function toSummary(item: Record<string, unknown>): DonorSummary {
  const totals = Object.fromEntries(
    Object.entries(item)
      .filter(([name]) => name.startsWith(totalPrefix))
      .map(([name, value]) => [name.slice(totalPrefix.length), Number(value)]),
  );
  const stored = item.thankYouStatus as string | undefined;
  const status: ThankYouStatus = stored === 'sent' ? 'sent' : stored ? 'pending' : 'none';
  return {
    donorId: String(item.donorId),
    donationCount: Number(item.donationCount),
    totals,
    firstDonationAt: String(item.firstDonationAt),
    lastDonationAt: String(item.lastDonationAt),
    thankYou: { status, ...(typeof item.thankYouSentAt === 'string' && { sentAt: item.thankYouSentAt }) },
  };
}

export function dynamoLedgerStore(documents: DynamoDBDocumentClient, table: string): LedgerStore {
  const getItem = async (pk: string, sk: string) =>
    (await documents.send(new GetCommand({ TableName: table, Key: { pk, sk }, ConsistentRead: true }))).Item;
  const readSummary = async (donorId: string) => getItem(donorKey(donorId), summaryKey);

  /** Applies donation n to the summary, if the summary stands at n - 1; false if another writer did. */
  async function applyToSummary(donation: SequencedDonation, threshold: number): Promise<boolean> {
    const n = donation.donationCount;
    const earns = n === threshold;
    const set = [
      'donorId = :donorId',
      'donationCount = :n',
      '#total = if_not_exists(#total, :zero) + :amount',
      'firstDonationAt = if_not_exists(firstDonationAt, :at)',
      'lastDonationAt = :at',
      ...(donation.email ? ['email = :email'] : []),
      ...(earns
        ? ['thankYouStatus = :pending', 'thankYouPending = :pending', 'thankYouAttempts = :zero']
        : []),
    ];
    const applied = await unlessConditionFails(
      documents.send(
        new UpdateCommand({
          TableName: table,
          Key: { pk: donorKey(donation.donorId), sk: summaryKey },
          UpdateExpression: `SET ${set.join(', ')}`,
          ConditionExpression: n === 1 ? 'attribute_not_exists(donationCount)' : 'donationCount = :previous',
          ExpressionAttributeNames: { '#total': `${totalPrefix}${donation.currency}` },
          ExpressionAttributeValues: {
            ':donorId': donation.donorId,
            ':n': n,
            ':zero': 0,
            ':amount': donation.amount,
            ':at': donation.createdAt,
            ...(n > 1 && { ':previous': n - 1 }),
            ...(donation.email && { ':email': donation.email }),
            ...(earns && { ':pending': pendingMarker }),
          },
        }),
      ),
    );
    return applied !== undefined;
  }

  /** A summary update that only the holder of the thank-you lease may make. */
  const leaseHolderUpdate = (
    donorId: string,
    token: string,
    expression: string,
    values: Record<string, unknown>,
  ) =>
    unlessConditionFails(
      documents.send(
        new UpdateCommand({
          TableName: table,
          Key: { pk: donorKey(donorId), sk: summaryKey },
          UpdateExpression: expression,
          ConditionExpression: 'leaseToken = :token',
          ExpressionAttributeValues: { ...values, ':token': token },
        }),
      ),
    );

  const store: LedgerStore = {
    async summary(donorId, threshold) {
      const item = await readSummary(donorId);
      const counted = item ? Number(item.donationCount) : 0;
      const uncounted = await store.donationAt(donorId, counted + 1);
      if (!uncounted) return item ? toSummary(item) : undefined;
      return store.countUpTo(donorId, Number.MAX_SAFE_INTEGER, threshold);
    },

    async append(donation, beforeAttempt) {
      const item = await readSummary(donation.donorId);
      let n = (item ? Number(item.donationCount) : 0) + 1;
      for (;;) {
        await beforeAttempt?.(n);
        const won = await unlessConditionFails(
          documents.send(
            new PutCommand({
              TableName: table,
              Item: { pk: donorKey(donation.donorId), sk: donationKey(n), ...donation, donationCount: n },
              ConditionExpression: 'attribute_not_exists(pk)',
            }),
          ),
        );
        if (won) return n;
        // Taken by this very donation: an earlier owner of its key whose late write landed after a
        // takeover. The id fences it, so a slow holder and its successor never record it twice.
        if ((await store.donationAt(donation.donorId, n))?.donationId === donation.donationId) return n;
        n += 1;
      }
    },

    async donationAt(donorId, n) {
      const item = await getItem(donorKey(donorId), donationKey(n));
      return item ? toDonation(item) : undefined;
    },

    async countUpTo(donorId, n, threshold) {
      for (;;) {
        const item = await readSummary(donorId);
        const counted = item ? Number(item.donationCount) : 0;
        const next = counted < n ? await store.donationAt(donorId, counted + 1) : undefined;
        if (!next) {
          if (!item) throw new Error(`donor ${donorId} has no donations to count`);
          return toSummary(item);
        }
        await applyToSummary(next, threshold);
      }
    },

    async list(donorId, limit, before) {
      const { Items = [], LastEvaluatedKey } = await documents.send(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: before
            ? 'pk = :pk AND sk BETWEEN :first AND :last'
            : 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: {
            ':pk': donorKey(donorId),
            ...(before
              ? { ':first': donationKey(1), ':last': donationKey(before - 1) }
              : { ':prefix': 'DONATION#' }),
          },
          ScanIndexForward: false,
          Limit: limit,
          ConsistentRead: true,
        }),
      );
      const items = Items.map(toDonation);
      const last = items.at(-1);
      const more = LastEvaluatedKey !== undefined && last !== undefined && last.donationCount > 1;
      return { items, ...(more && { nextBefore: last.donationCount }) };
    },

    async claimThankYou(donorId, token, now, leaseMs) {
      const claimed = await unlessConditionFails(
        documents.send(
          new UpdateCommand({
            TableName: table,
            Key: { pk: donorKey(donorId), sk: summaryKey },
            UpdateExpression:
              'SET thankYouStatus = :publishing, leaseToken = :token, leaseUntil = :until ADD thankYouAttempts :one',
            ConditionExpression:
              'thankYouStatus = :pending OR (thankYouStatus = :publishing AND leaseUntil < :now)',
            ExpressionAttributeValues: {
              ':publishing': 'publishing',
              ':pending': pendingMarker,
              ':token': token,
              ':until': now.getTime() + leaseMs,
              ':now': now.getTime(),
              ':one': 1,
            },
            ReturnValues: 'ALL_NEW',
          }),
        ),
      );
      // A claim that landed and was sent again by the SDK fails its condition: the lease is ours all
      // the same, or the thank-you would wait out its own lease for the next sweep.
      const item = claimed?.Attributes ?? (await readSummary(donorId));
      if (item?.leaseToken !== token) return undefined;
      return {
        donorId,
        donationCount: Number(item.donationCount),
        attempts: Number(item.thankYouAttempts),
        ...(typeof item.email === 'string' && { email: item.email }),
      };
    },

    async markThankYouSent(donorId, token, sentAt, messageId) {
      const marked = await leaseHolderUpdate(
        donorId,
        token,
        'SET thankYouStatus = :sent, thankYouSentAt = :at, thankYouMessageId = :id REMOVE thankYouPending, leaseToken, leaseUntil',
        { ':sent': 'sent', ':at': sentAt.toISOString(), ':id': messageId },
      );
      if (marked) return true;
      // A mark that landed and was sent again by the SDK finds the token gone: the message tells.
      return (await readSummary(donorId))?.thankYouMessageId === messageId;
    },

    async releaseThankYou(donorId, token, reason) {
      // No change when another publisher took over after our lease lapsed: the state is theirs now.
      await leaseHolderUpdate(
        donorId,
        token,
        'SET thankYouStatus = :pending, thankYouLastError = :reason REMOVE leaseToken, leaseUntil',
        { ':pending': pendingMarker, ':reason': reason },
      );
    },

    async pendingThankYous() {
      const donors: string[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const page = await documents.send(
          new QueryCommand({
            TableName: table,
            IndexName: 'pendingThankYous',
            KeyConditionExpression: 'thankYouPending = :pending',
            ExpressionAttributeValues: { ':pending': pendingMarker },
            ProjectionExpression: 'donorId',
            ExclusiveStartKey: start,
          }),
        );
        donors.push(...(page.Items ?? []).map((item) => String(item.donorId)));
        start = page.LastEvaluatedKey;
      } while (start);
      return donors;
    },
  };
  return store;
}
