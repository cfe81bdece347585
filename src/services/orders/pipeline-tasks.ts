import type { Logger } from 'pino';
import type { AuctionPlatform } from './auction-platform.js';
import { type AuctionOutcome, runDateOf } from './domain.js';
import type { OrderStore } from './order-store.js';
import type { ResultsStore } from './results-store.js';

export interface PipelineTaskDependencies {
  orders: OrderStore;
  auction: AuctionPlatform;
  results: ResultsStore;
  clock: () => Date;
  log: Logger;
  /** Most orders one run takes (the Map's input must stay within Step Functions' 256 KB). */
  maxOrdersPerRun: number;
}

export type FetchResultsOutput = { results: false } | { results: true; orders: AuctionOutcome[] };

/** An error the state machine catches by name (`OrderRejected`) to notify the team. */
export class OrderRejected extends Error {
  override name = 'OrderRejected';
}

/** The brief's lambda_a and lambda_b, as plain functions over the ports. */
export function pipelineTasks(deps: PipelineTaskDependencies) {
  const { orders, auction, results, clock, log } = deps;
  return {
    async fetchResults(input: unknown): Promise<FetchResultsOutput> {
      const attempt = Number((input as { attempt?: number }).attempt ?? 0) + 1;
      const pending = await orders.pending(clock(), deps.maxOrdersPerRun);
      if (pending.length === 0) return { results: true, orders: [] };
      const answer = await auction.results(pending, attempt);
      log.info(
        { event: 'auction.polled', attempt, pending: pending.length, ready: answer.ready },
        'auction polled',
      );
      if (!answer.ready) return { results: false };
      await orders.recordOutcomes(answer.outcomes, clock());
      return { results: true, orders: answer.outcomes };
    },

    async processOrder(input: unknown): Promise<{ record_id: string; outcome: 'accepted'; key: string }> {
      const { order, runStartedAt } = input as { order: AuctionOutcome; runStartedAt: string };
      if (order.status !== 'accepted') throw new OrderRejected(`Order ${order.record_id} was rejected`);
      const key = await results.putAccepted(runDateOf(runStartedAt), {
        ...order,
        storedAt: clock().toISOString(),
      });
      return { record_id: order.record_id, outcome: 'accepted', key };
    },
  };
}
