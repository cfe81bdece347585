import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { mapConcurrently } from '../../platform/concurrency.js';
import { emitMetric } from '../../platform/metrics.js';
import type { AuctionPlatform } from './auction-platform.js';
import { batchesOf, holderFor, maxOrdersPerRun } from './domain.js';
import type { DeliveryOutcome, OrderDelivery } from './order-delivery.js';
import type { OrderStore } from './order-store.js';
import type { RunStore } from './run-store.js';
import { summarize } from './run-summary.js';
import type { SettlementStore } from './settlement-store.js';

export interface PipelineTaskDependencies {
  orders: OrderStore;
  settlements: SettlementStore;
  runs: RunStore;
  auction: AuctionPlatform;
  deliver: OrderDelivery;
  clock: () => Date;
  log: Logger;
}

/**
 * `results: false` with batches: the platform never answered, and the run delivers only what earlier
 * runs decided before it gives up.
 */
export type FetchResultsOutput = {
  results: boolean;
  seed: string | null;
  orders?: number;
  batches?: number[];
};

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

/** Stores the run's order ids in batches and answers their numbers, for the Map. */
async function stored(
  { runs, clock }: Pick<PipelineTaskDependencies, 'runs' | 'clock'>,
  runId: string,
  unsettled: { record_id: string }[],
) {
  const batches = batchesOf(unsettled.map((order) => order.record_id));
  await runs.putBatches(runId, batches, clock());
  return { orders: unsettled.length, batches: batches.map((_, index) => index) };
}

/**
 * The brief's lambda_a: asks the auction about the undecided orders and records each answer once,
 * then stores the run's unsettled orders as batches and answers their numbers.
 */
export function fetchResultsTask(
  deps: Pick<PipelineTaskDependencies, 'orders' | 'runs' | 'auction' | 'clock' | 'log'>,
) {
  const { orders, auction, clock, log } = deps;
  return async (input: unknown): Promise<FetchResultsOutput> => {
    const runId = runOf(input);
    const { attempt: done = 0, maxAttempts = 1 } = input as { attempt?: number; maxAttempts?: number };
    const attempt = Number(done) + 1;
    const seed = auction.seedOf(runId) ?? null;
    let unsettled = await orders.unsettled(clock(), maxOrdersPerRun);
    const undecided = unsettled.filter((order) => order.decidedAt === undefined);
    if (undecided.length > 0) {
      const answer = await auction.results(undecided, attempt, runId);
      log.info(
        { event: 'auction.polled', runId, attempt, pending: undecided.length, ready: answer.ready },
        'auction polled',
      );
      if (!answer.ready) {
        // Still waiting: poll again. On the last attempt, deliver what earlier runs decided anyway,
        // so a platform that stays silent never holds those orders back.
        if (attempt < Number(maxAttempts)) return { results: false, seed };
        unsettled = unsettled.filter((order) => order.decidedAt !== undefined);
        return { results: false, seed, ...(await stored(deps, runId, unsettled)) };
      }
      await orders.recordOutcomes(answer.outcomes, runId, clock());
    }
    return { results: true, seed, ...(await stored(deps, runId, unsettled)) };
  };
}

/** Delivers one batch; one order's failure leaves that order pending, never the others. */
export function deliverBatchTask({
  runs,
  deliver,
  log,
}: Pick<PipelineTaskDependencies, 'runs' | 'deliver' | 'log'>) {
  return async (input: unknown) => {
    const runId = runOf(input);
    const batch = Number((input as { batch?: unknown }).batch);
    const ids = await runs.batch(runId, batch);
    const holder = holderFor(runId, randomUUID());
    const outcomes = await mapConcurrently(ids, deliveriesInFlight, (id) => deliver(id, holder));
    const counts = tally(outcomes);
    log.info({ event: 'pipeline.batch', runId, batch, ...counts }, 'batch delivered');
    const passing = outcomes.filter((o) => o.delivery === 'left' && o.transient).length;
    if (passing > 0) throw new DeliveryRetryable(`${passing} order(s) of batch ${batch} met a passing fault`);
    return { batch, ...counts };
  };
}

/** Counts the run's orders where they stand now, stores the summary and emits the left-over metric. */
export function summarizeRunTask({
  runs,
  settlements,
  clock,
  log,
}: Pick<PipelineTaskDependencies, 'runs' | 'settlements' | 'clock' | 'log'>) {
  return async (input: unknown) => {
    const runId = runOf(input);
    const seed = (input as { seed?: string | null }).seed ?? null;
    const ids = await runs.orderIds(runId);
    const summary = summarize(runId, seed ?? '', ids.length, await settlements.standings(ids), clock());
    await runs.putSummary(summary, clock());
    emitMetric(log, ordersLeftMetric, summary.left);
    log.info({ event: 'pipeline.summary', ...summary }, 'pipeline run summarized');
    return summary;
  };
}

/**
 * The pipeline's Task states as plain functions over the ports: each a Lambda function of its own on
 * AWS (`pipeline-service.ts`), all three in one process locally.
 */
export function pipelineTasks(deps: PipelineTaskDependencies) {
  return {
    fetchResults: fetchResultsTask(deps),
    deliverBatch: deliverBatchTask(deps),
    summarizeRun: summarizeRunTask(deps),
  };
}
