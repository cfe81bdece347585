import { randomUUID } from 'node:crypto';
import { type AuctionOutcome, type OrderInput, seededFraction } from './domain.js';

/** The auction platform port: results for the given orders, once the auction has them. */
export interface AuctionPlatform {
  results(
    orders: OrderInput[],
    attempt: number,
  ): Promise<{ ready: false } | { ready: true; outcomes: AuctionOutcome[] }>;
}

export interface SimulatedAuctionOptions {
  /** Same seed, same answers; unset draws a new seed each start. */
  seed?: string;
  readyProbability: number;
  acceptProbability: number;
}

/**
 * A stand-in for the real platform: readiness per attempt and acceptance per order are random, but
 * derived from the seed, so a seeded run is reproducible (and a re-run gives the same outcomes).
 */
export function simulatedAuction({
  seed = randomUUID(),
  readyProbability,
  acceptProbability,
}: SimulatedAuctionOptions): AuctionPlatform {
  return {
    async results(orders, attempt) {
      if (seededFraction(seed, `ready:${attempt}`) >= readyProbability) return { ready: false };
      return {
        ready: true,
        outcomes: orders.map((order) => {
          const accepted = seededFraction(seed, `accept:${order.record_id}`) < acceptProbability;
          const power = Math.round(seededFraction(seed, `power:${order.record_id}`) * 100_000) / 100;
          return { record_id: order.record_id, status: accepted ? 'accepted' : 'rejected', power };
        }),
      };
    },
  };
}
