import { type AuctionOutcome, type OrderInput, seededFraction } from './domain.js';

/** The auction platform port: results for the given orders, once the auction has them. */
export interface AuctionPlatform {
  results(
    orders: OrderInput[],
    attempt: number,
    runId: string,
  ): Promise<{ ready: false } | { ready: true; outcomes: AuctionOutcome[] }>;
  /** What makes a run's answers reproducible, recorded in the run's output (the simulation's seed). */
  seedOf(runId: string): string | undefined;
}

export interface SimulatedAuctionOptions {
  /** Same seed, same answers in every run; unset, each run's id is its seed. */
  seed?: string;
  readyProbability: number;
  acceptProbability: number;
}

/**
 * A stand-in for the real platform: readiness per attempt and acceptance per order are random, but
 * derived from a seed. The seed is the configured one or else the run's id, never drawn per process:
 * on AWS every Lambda environment of a run must give the same answers.
 */
export function simulatedAuction({
  seed,
  readyProbability,
  acceptProbability,
}: SimulatedAuctionOptions): AuctionPlatform {
  const seedOf = (runId: string) => seed ?? runId;
  return {
    seedOf,
    async results(orders, attempt, runId) {
      const runSeed = seedOf(runId);
      if (seededFraction(runSeed, `ready:${attempt}`) >= readyProbability) return { ready: false };
      return {
        ready: true,
        outcomes: orders.map((order) => {
          const accepted = seededFraction(runSeed, `accept:${order.record_id}`) < acceptProbability;
          const power = Math.round(seededFraction(runSeed, `power:${order.record_id}`) * 100_000) / 100;
          return { record_id: order.record_id, status: accepted ? 'accepted' : 'rejected', power };
        }),
      };
    },
  };
}
