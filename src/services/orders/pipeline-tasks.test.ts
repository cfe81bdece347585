import { readFileSync } from 'node:fs';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { LocalInbox } from '../../platform/notify/local-inbox.js';
import { simulatedAuction } from './auction-platform.js';
import type { AuctionOutcome, DecidedOrder, Order } from './domain.js';
import { orderDelivery } from './order-delivery.js';
import type { OrderStore } from './order-store.js';
import { DeliveryRetryable, pipelineTasks } from './pipeline-tasks.js';
import type { RunStore } from './run-store.js';
import { summarize } from './run-summary.js';
import type { OrderStanding, SettlementStore } from './settlement-store.js';

/** Unit tests of the Task functions over small in-memory ports; the pipeline suites run the real stores. */
const now = new Date('2026-11-21T10:00:00Z');
const log = pino({ level: 'silent' });
const order = (record_id: string, decided?: Pick<AuctionOutcome, 'status' | 'power'>): Order => ({
  record_id,
  parameter_1: 'p',
  parameter_2: 1,
  status: decided?.status ?? 'pending',
  ttl: 1_900_000_000,
  createdAt: now.toISOString(),
  ...(decided && { power: decided.power, decidedAt: now.toISOString(), decidedBy: 'earlier-run' }),
});

/** The brief's lambda_b events: an accepted and a rejected outcome, `{status, power}`. */
const briefEvent = (name: string) =>
  JSON.parse(
    readFileSync(new URL(`./fixtures/entrix/lambda_b.event.${name}.json`, import.meta.url), 'utf8'),
  ) as Pick<AuctionOutcome, 'status' | 'power'>;

function harness(stored: Order[], readyProbability = 1) {
  const table = new Map(stored.map((o) => [o.record_id, { ...o } as Order & { claim?: string }]));
  const recorded: AuctionOutcome[] = [];
  const batches = new Map<string, string[][]>();
  const results: string[] = [];
  const inbox = new LocalInbox(() => now);
  const faults: Record<string, Error> = {};
  const orders: OrderStore = {
    putPending: async () => {},
    get: async (id) => table.get(id),
    unsettled: async () => [...table.values()].filter((o) => o.settledAt === undefined),
    recordOutcomes: async (outcomes, runId) => {
      recorded.push(...outcomes);
      for (const o of outcomes)
        Object.assign(table.get(o.record_id) ?? {}, { ...o, decidedAt: now.toISOString(), decidedBy: runId });
    },
  };
  const settlements: SettlementStore = {
    claim: async (id, runId) => {
      const found = table.get(id);
      if (!found?.decidedAt || found.settledAt || (found.claim && found.claim !== runId)) return undefined;
      found.claim = runId;
      return found as DecidedOrder;
    },
    settle: async (id, runId) => {
      const found = table.get(id);
      if (found?.claim !== runId) return false;
      found.settledAt = now.toISOString();
      return true;
    },
    release: async (id) => {
      delete table.get(id)?.claim;
    },
    noteFault: async () => {},
    standings: async () => [],
  };
  const runs: RunStore = {
    putBatches: async (runId, split) => void batches.set(runId, split),
    batch: async (runId, index) => batches.get(runId)?.[index] ?? [],
    orderIds: async (runId) => (batches.get(runId) ?? []).flat(),
    putSummary: async () => {},
    summaries: async () => new Map(),
  };
  const deliver = orderDelivery({
    settlements,
    results: {
      putAccepted: async (o) => {
        const fault = faults[o.record_id];
        if (fault) throw fault;
        results.push(o.record_id);
        return `results/${o.record_id}.json`;
      },
    },
    notifier: inbox,
    topic: 'skiff-local-orders-notifications',
    clock: () => now,
    log,
    leaseMs: 60_000,
  });
  const auction = simulatedAuction({ seed: 'unit', readyProbability, acceptProbability: 0.5 });
  const tasks = pipelineTasks({ orders, settlements, runs, auction, deliver, clock: () => now, log });
  return { tasks, table, recorded, batches, results, inbox, faults };
}

describe('simulated auction', () => {
  const many = Array.from({ length: 50 }, (_, i) => order(`r${i}`));
  const statuses = async (seed: string | undefined, runId: string) => {
    const answer = await simulatedAuction({ seed, readyProbability: 1, acceptProbability: 0.5 }).results(
      many,
      1,
      runId,
    );
    return answer.ready ? answer.outcomes.map((o) => o.status) : [];
  };

  it('answers the same for the same seed, whatever the run', async () => {
    expect(await statuses('s', 'run-1')).toEqual(await statuses('s', 'run-2'));
    expect(await statuses('x', 'run-1')).not.toEqual(await statuses('y', 'run-1'));
  });

  it("takes each run's id as its seed when none is configured: one run, one answer in every process", async () => {
    expect(simulatedAuction({ readyProbability: 1, acceptProbability: 0.5 }).seedOf('run-1')).toBe('run-1');
    expect(await statuses(undefined, 'run-1')).toEqual(await statuses(undefined, 'run-1'));
    expect(await statuses(undefined, 'run-1')).not.toEqual(await statuses(undefined, 'run-2'));
  });

  it('honours the probabilities at their extremes', async () => {
    const never = simulatedAuction({ readyProbability: 0, acceptProbability: 1 });
    expect(await never.results(many, 1, 'r')).toEqual({ ready: false });
    const all = await simulatedAuction({ readyProbability: 1, acceptProbability: 1 }).results(many, 1, 'r');
    expect(all.ready && all.outcomes.every((o) => o.status === 'accepted')).toBe(true);
  });
});

describe('FetchResults (lambda_a)', () => {
  it('answers {results:false} with the seed while the platform has none, and records nothing', async () => {
    const { tasks, recorded } = harness([order('a')], 0);
    expect(await tasks.fetchResults({ attempt: 0, maxAttempts: 3, runId: 'run-1' })).toEqual({
      results: false,
      seed: 'unit',
    });
    expect(recorded).toEqual([]);
  });

  it('on the last attempt with no results, hands on what earlier runs decided, and only that', async () => {
    const { tasks, recorded, batches } = harness([order('new'), order('old', briefEvent('accepted'))], 0);
    expect(await tasks.fetchResults({ attempt: 2, maxAttempts: 3, runId: 'run-1' })).toEqual({
      results: false,
      seed: 'unit',
      orders: 1,
      batches: [0],
    });
    expect(batches.get('run-1')).toEqual([['old']]);
    expect(recorded).toEqual([]);
  });

  it('records each undecided order once, stores the batches and answers only their numbers', async () => {
    const stored = Array.from({ length: 120 }, (_, i) => order(`o${i}`));
    const { tasks, recorded, batches } = harness(stored);
    const output = await tasks.fetchResults({ attempt: 2, runId: 'run-1' });
    expect(output).toEqual({ results: true, seed: 'unit', orders: 120, batches: [0, 1, 2] });
    expect(recorded.map((o) => o.record_id)).toEqual(stored.map((o) => o.record_id));
    expect(batches.get('run-1')?.map((batch) => batch.length)).toEqual([50, 50, 20]);
  });

  it('does not poll for orders decided by an earlier run: it hands them on for delivery', async () => {
    const { tasks, recorded } = harness([order('a', briefEvent('accepted'))], 0);
    expect(await tasks.fetchResults({ attempt: 0, runId: 'run-2' })).toMatchObject({
      results: true,
      orders: 1,
    });
    expect(recorded).toEqual([]);
  });
});

describe('DeliverBatch (lambda_b, on the brief events)', () => {
  const decided = () => [order('a', briefEvent('accepted')), order('r', briefEvent('rejected'))];

  it('stores the accepted result, announces the rejected one, and settles both', async () => {
    const { tasks, table, results, inbox } = harness(decided());
    await tasks.fetchResults({ runId: 'run-1' });
    expect(await tasks.deliverBatch({ runId: 'run-1', batch: 0 })).toEqual({
      batch: 0,
      settled: 2,
      left: 0,
      skipped: 0,
    });
    expect(results).toEqual(['a']);
    expect(inbox.list()).toEqual([
      expect.objectContaining({
        message: 'Order r was rejected by the auction platform.',
        attributes: { record_id: 'r' },
      }),
    ]);
    expect([table.get('a')?.settledAt, table.get('r')?.settledAt]).toEqual([
      now.toISOString(),
      now.toISOString(),
    ]);
    // Delivered again (a retry): settled orders are skipped, nothing is sent twice.
    expect(await tasks.deliverBatch({ runId: 'run-1', batch: 0 })).toMatchObject({ settled: 0, skipped: 2 });
    expect(inbox.list()).toHaveLength(1);
  });

  it('leaves an order whose delivery failed for good, and delivers the others', async () => {
    const { tasks, table, faults, inbox } = harness(decided());
    faults.a = Object.assign(new Error('gone'), { name: 'NoSuchBucket', $metadata: { httpStatusCode: 404 } });
    await tasks.fetchResults({ runId: 'run-1' });
    expect(await tasks.deliverBatch({ runId: 'run-1', batch: 0 })).toMatchObject({ settled: 1, left: 1 });
    expect([table.get('a')?.settledAt, table.get('a')?.claim]).toEqual([undefined, undefined]);
    expect(inbox.list()).toHaveLength(1);
  });

  it('raises DeliveryRetryable when an order met a passing fault, so Step Functions retries the batch', async () => {
    const { tasks, faults } = harness(decided());
    faults.a = Object.assign(new Error('slow down'), {
      name: 'SlowDown',
      $metadata: { httpStatusCode: 503 },
    });
    await tasks.fetchResults({ runId: 'run-1' });
    const attempt = tasks.deliverBatch({ runId: 'run-1', batch: 0 });
    await expect(attempt).rejects.toBeInstanceOf(DeliveryRetryable);
    await expect(attempt).rejects.toMatchObject({ name: 'DeliveryRetryable' });
  });

  it('never takes over an order an earlier invocation of the same run still holds (a retried batch)', async () => {
    const { tasks, table, results } = harness(decided());
    await tasks.fetchResults({ runId: 'run-1' });
    Object.assign(table.get('a') ?? {}, { claim: 'run-1#earlier-invocation' });
    expect(await tasks.deliverBatch({ runId: 'run-1', batch: 0 })).toMatchObject({ settled: 1, skipped: 1 });
    expect(results).toEqual([]);
  });

  it('skips an order another run holds', async () => {
    const { tasks, table, results } = harness(decided());
    await tasks.fetchResults({ runId: 'run-1' });
    Object.assign(table.get('a') ?? {}, { claim: 'run-0' });
    expect(await tasks.deliverBatch({ runId: 'run-1', batch: 0 })).toMatchObject({ settled: 1, skipped: 1 });
    expect(results).toEqual([]);
  });
});

describe('a run summary', () => {
  const standing = (record_id: string, fields: Partial<OrderStanding>): OrderStanding => ({
    record_id,
    decided: true,
    unsettled: false,
    ...fields,
  });

  it('counts what this run delivered, what it left, and what belongs to other runs', () => {
    const later = now.getTime() + 60_000;
    const summary = summarize(
      'run-1',
      'seed',
      6,
      [
        standing('a', { status: 'accepted', settledBy: 'run-1' }),
        standing('r', { status: 'rejected', settledBy: 'run-1' }),
        standing('x', { status: 'accepted', settledBy: 'run-0' }),
        standing('h', { unsettled: true, claim: 'run-2', claimUntil: later }),
        standing('l', { unsettled: true, lastFault: 'NoSuchBucket' }),
        standing('u', { unsettled: true, decided: false }),
      ],
      now,
    );
    expect(summary).toEqual({
      runId: 'run-1',
      seed: 'seed',
      orders: 6,
      settled: 2,
      accepted: 1,
      rejected: 1,
      left: 1,
      elsewhere: 3,
      faults: { NoSuchBucket: 1 },
      summarizedAt: now.toISOString(),
    });
  });

  it('counts an order held by a run whose lease ran out as left', () => {
    const expired = standing('h', { unsettled: true, claim: 'run-2', claimUntil: now.getTime() - 1 });
    expect(summarize('run-1', '', 1, [expired], now)).toMatchObject({ left: 1, faults: { Unknown: 1 } });
  });
});
