import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { simulatedAuction } from './auction-platform.js';
import type { AuctionOutcome, Order } from './domain.js';
import type { OrderStore } from './order-store.js';
import { countOutcomes } from './pipeline-definition.js';
import { OrderRejected, pipelineTasks } from './pipeline-tasks.js';

/** Unit tests of lambda_a and lambda_b over small in-memory ports; the pipeline test runs them on the real stores. */
const now = new Date('2026-11-21T10:00:00Z');
const pending: Order[] = ['a', 'b', 'c'].map((record_id) => ({
  record_id,
  parameter_1: 'p',
  parameter_2: 1,
  status: 'pending',
  ttl: 1_900_000_000,
  createdAt: now.toISOString(),
}));

function harness(readyProbability: number) {
  const recorded: AuctionOutcome[] = [];
  const stored: { runDate: string; result: object }[] = [];
  const orders: OrderStore = {
    putPending: async () => {},
    get: async () => undefined,
    pending: async () => pending,
    recordOutcomes: async (outcomes) => {
      recorded.push(...outcomes);
    },
  };
  const tasks = pipelineTasks({
    orders,
    auction: simulatedAuction({ seed: 'unit', readyProbability, acceptProbability: 0.5 }),
    results: {
      putAccepted: async (runDate, result) => {
        stored.push({ runDate, result });
        return `results/${runDate}/${result.record_id}.json`;
      },
    },
    clock: () => now,
    log: pino({ level: 'silent' }),
    maxOrdersPerRun: 1000,
  });
  return { tasks, recorded, stored };
}

describe('simulated auction', () => {
  it('answers the same for the same seed, and differently for another', async () => {
    const first = await simulatedAuction({ seed: 's', readyProbability: 1, acceptProbability: 0.5 }).results(
      pending,
      1,
    );
    const again = await simulatedAuction({ seed: 's', readyProbability: 1, acceptProbability: 0.5 }).results(
      pending,
      1,
    );
    expect(again).toEqual(first);
    const many = Array.from({ length: 50 }, (_, i) => ({ ...pending[0], record_id: `r${i}` }) as Order);
    const statuses = async (seed: string) => {
      const answer = await simulatedAuction({ seed, readyProbability: 1, acceptProbability: 0.5 }).results(
        many,
        1,
      );
      return answer.ready ? answer.outcomes.map((o) => o.status) : [];
    };
    expect(await statuses('x')).not.toEqual(await statuses('y'));
  });

  it('honours the probabilities at their extremes', async () => {
    expect(await simulatedAuction({ readyProbability: 0, acceptProbability: 1 }).results(pending, 1)).toEqual(
      { ready: false },
    );
    const all = await simulatedAuction({ readyProbability: 1, acceptProbability: 1 }).results(pending, 1);
    expect(all.ready && all.outcomes.every((o) => o.status === 'accepted')).toBe(true);
  });
});

describe('FetchResults (lambda_a)', () => {
  it('answers {results:false} while the platform has none, and records nothing', async () => {
    const { tasks, recorded } = harness(0);
    expect(await tasks.fetchResults({ attempt: 0 })).toEqual({ results: false });
    expect(recorded).toEqual([]);
  });

  it('answers the outcomes and records each order once the platform has them', async () => {
    const { tasks, recorded } = harness(1);
    const output = await tasks.fetchResults({ attempt: 2 });
    expect(output).toEqual({
      results: true,
      orders: pending.map((o) => ({
        record_id: o.record_id,
        status: expect.stringMatching(/^(accepted|rejected)$/),
        power: expect.any(Number),
      })),
    });
    expect(recorded).toEqual(output.results ? output.orders : []);
  });
});

describe('ProcessOrder (lambda_b)', () => {
  it('stores an accepted order under the run date', async () => {
    const { tasks, stored } = harness(1);
    const output = await tasks.processOrder({
      order: { record_id: 'a', status: 'accepted', power: 12.5 },
      runStartedAt: '2026-11-21T09:00:00.000Z',
    });
    expect(output).toEqual({ record_id: 'a', outcome: 'accepted', key: 'results/2026-11-21/a.json' });
    expect(stored).toEqual([
      { runDate: '2026-11-21', result: expect.objectContaining({ record_id: 'a', power: 12.5 }) },
    ]);
  });

  it('raises OrderRejected for a rejected order, which the state machine catches by name', async () => {
    const { tasks, stored } = harness(1);
    const attempt = tasks.processOrder({
      order: { record_id: 'b', status: 'rejected', power: 0 },
      runStartedAt: now.toISOString(),
    });
    await expect(attempt).rejects.toBeInstanceOf(OrderRejected);
    await expect(attempt).rejects.toMatchObject({ name: 'OrderRejected' });
    expect(stored).toEqual([]);
  });
});

describe('countOutcomes', () => {
  it('counts accepted and rejected orders in a run output', () => {
    expect(
      countOutcomes({
        processed: [{ outcome: 'accepted' }, { outcome: 'rejected' }, { outcome: 'accepted' }],
      }),
    ).toEqual({
      accepted: 2,
      rejected: 1,
    });
    expect(countOutcomes({ processed: [] })).toEqual({ accepted: 0, rejected: 0 });
  });
});
