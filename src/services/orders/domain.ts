/** Order rules, pure: no I/O, no AWS, no Fastify. */
import { createHash } from 'node:crypto';

export interface OrderInput {
  record_id: string;
  parameter_1: string;
  parameter_2: number;
}

export type OrderStatus = 'pending' | 'accepted' | 'rejected';

export interface Order extends OrderInput {
  /** `pending` until the auction decides; the decision is made once and kept. */
  status: OrderStatus;
  /** Epoch seconds after which the order no longer exists. */
  ttl: number;
  createdAt: string;
  power?: number;
  decidedAt?: string;
  /** The run whose auction answer decided the order. */
  decidedBy?: string;
  /** When its outcome was delivered: the result stored in S3, or the rejection notice published. */
  settledAt?: string;
}

export interface AuctionOutcome {
  record_id: string;
  status: 'accepted' | 'rejected';
  power: number;
}

/** A decided order, as delivery needs it. */
export type DecidedOrder = Order & { status: 'accepted' | 'rejected'; power: number; decidedAt: string };

export const orderLifetimeSeconds = 86_400;
export const maxOrdersPerRequest = 1000;
/** Most orders one run takes; the rest wait for the next run. */
export const maxOrdersPerRun = 1000;
/** Order ids per batch: the state machine maps over batch numbers, one DeliverBatch call each. */
export const batchSize = 50;

export function expiryFor(now: Date): number {
  return Math.floor(now.getTime() / 1000) + orderLifetimeSeconds;
}

export function isExpired(order: { ttl: number }, now: Date): boolean {
  return order.ttl <= Math.floor(now.getTime() / 1000);
}

/** The index of each `record_id` seen earlier in the same request: one request, one state per order. */
export function duplicateIndexes(orders: { record_id: string }[]): number[] {
  const seen = new Set<string>();
  return orders.flatMap((order, index) => {
    if (seen.has(order.record_id)) return [index];
    seen.add(order.record_id);
    return [];
  });
}

/** DynamoDB's numbers reach down to 1e-130: a smaller non-zero one is refused as an underflow. */
const smallestStorable = 1e-130;
/** In a `u` pattern, a surrogate pair is one code point, so this finds only lone surrogates. */
const loneSurrogate = /\p{Cs}/u;

/**
 * What a schema cannot say about an order and the stores refuse, field by field: a number DynamoDB
 * cannot hold, and a record_id no result file can be named by (`encodeURIComponent` throws on it).
 */
export function unstorableFields(order: OrderInput): { field: keyof OrderInput; message: string }[] {
  const problems: { field: keyof OrderInput; message: string }[] = [];
  if (loneSurrogate.test(order.record_id)) {
    problems.push({ field: 'record_id', message: 'is not well-formed Unicode text (a lone surrogate)' });
  }
  if (order.parameter_2 !== 0 && Math.abs(order.parameter_2) < smallestStorable) {
    problems.push({ field: 'parameter_2', message: 'must be 0 or at least 1e-130 in size' });
  }
  return problems;
}

/** Longest URL-encoded record_id used as it is in a result's file name. */
const maxNameLength = 160;

/**
 * A result's file name: the URL-encoded record_id, or, when that is long (a 128-character id of
 * emoji encodes to 1,536 bytes, beyond S3's 1,024-byte keys and a file system's 255-byte names), its
 * readable start and a SHA-256 of the whole id. The object itself holds the full record_id.
 */
function resultName(recordId: string): string {
  const encoded = encodeURIComponent(recordId);
  if (encoded.length <= maxNameLength) return encoded;
  let start = '';
  for (const char of recordId) {
    const next = start + encodeURIComponent(char);
    if (next.length > maxNameLength - 65) break;
    start = next;
  }
  return `${start}~${createHash('sha256').update(recordId).digest('hex')}`;
}

/**
 * Where an accepted result is stored: derived from the order and its decision only (the UTC date it
 * was decided), so every delivery of that decision, by any run or retry, overwrites the same object.
 */
export function resultKey(order: { record_id: string; decidedAt: string }): string {
  return `results/${order.decidedAt.slice(0, 10)}/${resultName(order.record_id)}.json`;
}

/** A claim's holder: one invocation of a run's batch delivery, `<runId>#<nonce>`. */
export const holderFor = (runId: string, nonce: string) => `${runId}#${nonce}`;
export const runOfHolder = (holder: string) => holder.split('#')[0] ?? holder;

/** Splits ids into the batches a run delivers. */
export function batchesOf<T>(ids: readonly T[], size = batchSize): T[][] {
  const batches: T[][] = [];
  for (let i = 0; i < ids.length; i += size) batches.push(ids.slice(i, i + size));
  return batches;
}

/** A deterministic number in [0, 1) from a seed and a label (FNV-1a, then mulberry32). */
export function seededFraction(seed: string, label: string): number {
  let hash = 0x811c9dc5;
  for (const char of `${seed}:${label}`) {
    hash ^= char.charCodeAt(0);
    hash = Math.imul(hash, 0x01000193);
  }
  let t = (hash + 0x6d2b79f5) | 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
}
