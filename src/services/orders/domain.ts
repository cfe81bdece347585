/** Order rules, pure: no I/O, no AWS, no Fastify. */

export interface OrderInput {
  record_id: string;
  parameter_1: string;
  parameter_2: number;
}

export type OrderStatus = 'pending' | 'accepted' | 'rejected';

export interface Order extends OrderInput {
  status: OrderStatus;
  /** Epoch seconds after which the order no longer exists. */
  ttl: number;
  createdAt: string;
  power?: number;
  decidedAt?: string;
}

export interface AuctionOutcome {
  record_id: string;
  status: 'accepted' | 'rejected';
  power: number;
}

export const orderLifetimeSeconds = 86_400;
export const maxOrdersPerRequest = 1000;

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

/** Where an accepted result is stored: one object per run date and order, so a re-run overwrites it. */
export function resultKey(runDate: string, recordId: string): string {
  return `results/${runDate}/${encodeURIComponent(recordId)}.json`;
}

/** The UTC date of a run, from its start time: `2026-11-21`. */
export function runDateOf(startTime: string): string {
  return startTime.slice(0, 10);
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
