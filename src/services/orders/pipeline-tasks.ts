import type { Logger } from 'pino';
import { mapConcurrently } from '../../platform/concurrency.js';
import { emitMetric } from '../../platform/metrics.js';
import type { AuctionPlatform } from './auction-platform.js';
import { batchesOf, maxOrdersPerRun } from './domain.js';
import type { DeliveryOutcome, orderDelivery } from './order-delivery.js';
import type { OrderStore } from './order-store.js';
import type { RunStore } from './run-store.js';
import { summarize } from './run-summary.js';
import type { SettlementStore } from './settlement-store.js';

export interface PipelineTaskDependencies {
  orders: OrderStore;
  settlements: SettlementStore;
  runs: RunStore;
  auction: AuctionPlatform;
  deliver: ReturnType<typeof orderDelivery>;
  clock: () => Date;
  log: Logger;
}

export type FetchResultsOutput =
  | { results: false; seed: string | null }
  | { results: true; seed: string | null; orders: number; batches: number[] };

/** The metric of orders a run could not deliver (they wait for the next run); an alarm watches it. */
export const ordersLeftMetric = 'OrdersLeft';

/** Thrown when orders of a batch met a passing fault: Step Functions retries the batch with backoff. */
export class DeliveryRetryable extends Error {
  override name = 'DeliveryRetryable';
}

/** Orders delivered at once within one batch. */
const deliveriesInFlight = 8;

const runOf = (input: unknown) => String((input as { runId?: unknown }).runId);

function tally(outcomes: DeliveryOutcome[]) {
  const count = (delivery: DeliveryOutcome['delivery']) =>
    outcomes.filter((o) => o.delivery === delivery).length;
  return { settled: count('settled'), left: count('left'), skipped: count('skipped') };
}

/** The pipeline's Task states as plain functions over the ports: Lambda runs them on AWS. */
export function pipelineTasks(deps: PipelineTaskDependencies) {
  const { orders, settlements, runs, auction, clock, log } = deps;
  return {
    /**
     * The brief's lambda_a: asks the auction about the undecided orders and records each answer once,
     * then stores the run's unsettled orders as batches and answers their numbers.
     */
    async fetchResults(input: unknown): Promise<FetchResultsOutput> {
      const runId = runOf(input);
      const attempt = Number((input as { attempt?: number }).attempt ?? 0) + 1;
      const seed = auction.seedOf(runId) ?? null;
      const unsettled = await orders.unsettled(clock(), maxOrdersPerRun);
      const undecided = unsettled.filter((order) => order.decidedAt === undefined);
      if (undecided.length > 0) {
        const answer = await auction.results(undecided, attempt, runId);
        log.info(
          { event: 'auction.polled', runId, attempt, pending: undecided.length, ready: answer.ready },
          'auction polled',
        );
        if (!answer.ready) return { results: false, seed };
        await orders.recordOutcomes(answer.outcomes, runId, clock());
      }
      const batches = batchesOf(unsettled.map((order) => order.record_id));
      await runs.putBatches(runId, batches, clock());
      return { results: true, seed, orders: unsettled.length, batches: batches.map((_, index) => index) };
    },

    /** Delivers one batch; one order's failure leaves that order pending, never the others. */
    async deliverBatch(input: unknown) {
      const runId = runOf(input);
      const batch = Number((input as { batch?: unknown }).batch);
      const ids = await runs.batch(runId, batch);
      const outcomes = await mapConcurrently(ids, deliveriesInFlight, (id) => deps.deliver(id, runId));
      const counts = tally(outcomes);
      log.info({ event: 'pipeline.batch', runId, batch, ...counts }, 'batch delivered');
      const passing = outcomes.filter((o) => o.delivery === 'left' && o.transient).length;
      if (passing > 0)
        throw new DeliveryRetryable(`${passing} order(s) of batch ${batch} met a passing fault`);
      return { batch, ...counts };
    },

    /** Counts the run's orders where they stand now, stores the summary and emits the left-over metric. */
    async summarizeRun(input: unknown) {
      const runId = runOf(input);
      const seed = (input as { seed?: string | null }).seed ?? null;
      const ids = await runs.orderIds(runId);
      const summary = summarize(runId, seed ?? '', ids.length, await settlements.standings(ids), clock());
      await runs.putSummary(summary, clock());
      emitMetric(log, ordersLeftMetric, summary.left);
      log.info({ event: 'pipeline.summary', ...summary }, 'pipeline run summarized');
      return summary;
    },
  };
}
