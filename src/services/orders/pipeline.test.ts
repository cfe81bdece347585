import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterEach, describe, expect, it } from 'vitest';
import { seededFraction } from './domain.js';
import { keyFor, type PipelineHarness, pipelineHarness, resultsBucket } from './pipeline-test-kit.js';

/** The whole pipeline, run by aws-local-stepfunctions over the shared ASL, on embedded DynamoDB and S3. */
const orders = ['o-1', 'o-2', 'o-3', 'o-4', 'o-5', 'o-6'].map((record_id, i) => ({
  record_id,
  parameter_1: 'p',
  parameter_2: i,
}));
const acceptProbability = 0.5;

/** A seed whose results are not ready at the first poll but are at the second, with both outcomes. */
function seedWithMixedOutcomes(): string {
  for (let i = 0; ; i += 1) {
    const seed = `seed-${i}`;
    const accepted = orders.filter(
      (o) => seededFraction(seed, `accept:${o.record_id}`) < acceptProbability,
    ).length;
    const readyAt = (attempt: number) => seededFraction(seed, `ready:${attempt}`) < 0.5;
    if (!readyAt(1) && readyAt(2) && accepted > 0 && accepted < orders.length) return seed;
  }
}

let harness: PipelineHarness;
afterEach(() => harness?.platform.stop());

async function start(env: Record<string, string>) {
  harness = await pipelineHarness({ SKIFF_AUCTION_ACCEPT_PROBABILITY: String(acceptProbability), ...env });
  await harness.post(orders);
}

const polls = () => harness.platform.logs().filter((line) => line.event === 'auction.polled');

describe('the auction results pipeline', () => {
  it('waits for results, stores accepted orders in S3 and notifies once per rejected order', async () => {
    const seed = seedWithMixedOutcomes();
    await start({ SKIFF_AUCTION_SEED: seed, SKIFF_AUCTION_READY_PROBABILITY: '0.5' });
    const run = await harness.runToEnd();
    const accepted = orders.filter((o) => seededFraction(seed, `accept:${o.record_id}`) < acceptProbability);
    const rejected = orders.filter((o) => !accepted.includes(o));

    expect(run).toMatchObject({
      status: 'SUCCEEDED',
      seed,
      orders: orders.length,
      settled: orders.length,
      left: 0,
      accepted: accepted.length,
      rejected: rejected.length,
      error: null,
    });
    expect(run.stoppedAt).toEqual(expect.any(String));
    expect(polls().map((line) => line.ready)).toEqual([false, true]);

    const stored = await harness.order(accepted[0]?.record_id as string);
    expect(stored).toMatchObject({ status: 'accepted', settledAt: expect.any(String) });
    const decidedAt = String(stored.decidedAt);
    expect((await harness.resultKeys()).sort()).toEqual(
      accepted.map((o) => keyFor(o.record_id, decidedAt)).sort(),
    );
    const object = await harness.platform.aws.s3.send(
      new GetObjectCommand({ Bucket: resultsBucket, Key: keyFor(String(stored.record_id), decidedAt) }),
    );
    expect(JSON.parse((await object.Body?.transformToString()) ?? '')).toMatchObject({
      record_id: stored.record_id,
      status: 'accepted',
      power: stored.power,
      decidedBy: run.runId,
    });

    const notices = harness.platform.inbox.list();
    expect(notices).toHaveLength(rejected.length);
    for (const order of rejected) {
      expect(notices).toContainEqual(
        expect.objectContaining({
          topic: 'skiff-local-orders-notifications',
          subject: 'Auction order rejected',
          message: `Order ${order.record_id} was rejected by the auction platform.`,
          attributes: { record_id: order.record_id },
        }),
      );
      expect(await harness.order(order.record_id)).toMatchObject({
        status: 'rejected',
        settledAt: expect.any(String),
      });
    }

    // Re-running is safe: settled orders are not fetched again, nothing is stored or sent twice.
    const again = await harness.runToEnd();
    expect(again).toMatchObject({ status: 'SUCCEEDED', orders: 0, settled: 0, left: 0 });
    expect((await harness.resultKeys()).length).toBe(accepted.length);
    expect(harness.platform.inbox.list()).toHaveLength(rejected.length);

    // Orders posted again are undecided again; their results overwrite the same objects.
    await harness.post(orders);
    expect((await harness.runToEnd()).settled).toBe(orders.length);
    expect((await harness.resultKeys()).length).toBe(accepted.length);
  });

  it('gives up after the configured number of polls, fails and notifies', async () => {
    await start({
      SKIFF_AUCTION_SEED: 'never',
      SKIFF_AUCTION_READY_PROBABILITY: '0',
      SKIFF_ORDERS_PIPELINE_MAX_ATTEMPTS: '3',
    });
    const run = await harness.runToEnd();
    // The run still delivers what earlier runs decided (none here) before it gives up.
    expect(run).toMatchObject({
      status: 'FAILED',
      orders: 0,
      settled: 0,
      left: 0,
      error: { error: 'ResultsNotReady' },
    });
    expect(polls()).toHaveLength(3);
    expect(harness.platform.inbox.list()).toEqual([
      expect.objectContaining({
        subject: 'Auction results not ready',
        message:
          'The auction platform had no results after 3 attempts. Orders decided by earlier runs: 0 delivered, 0 left for the next run.',
      }),
    ]);
    expect(await harness.resultKeys()).toEqual([]);
    expect(await harness.order('o-1')).toMatchObject({ status: 'pending' });
  });

  it('starts runs on the local schedule when SKIFF_ORDERS_PIPELINE_INTERVAL is set', async () => {
    await start({ SKIFF_ORDERS_PIPELINE_INTERVAL: '50', SKIFF_AUCTION_READY_PROBABILITY: '1' });
    const scheduled = () => harness.platform.logs().filter((line) => line.event === 'pipeline.scheduled');
    for (let i = 0; i < 100 && scheduled().length === 0; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(scheduled().length).toBeGreaterThan(0);
  });

  it('stops cleanly while a run is polling: running tasks finish before the engines close', async () => {
    await start({
      SKIFF_AUCTION_READY_PROBABILITY: '0',
      SKIFF_ORDERS_PIPELINE_MAX_ATTEMPTS: '1000',
      SKIFF_ORDERS_PIPELINE_WAIT_MS: '0',
    });
    await harness.start();
    while (polls().length < 3) await new Promise((resolve) => setTimeout(resolve, 5));
    await harness.platform.stop();
    const pollsAtStop = polls().length;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(polls().length).toBe(pollsAtStop);
  });
});

describe('pipeline runs API', () => {
  it('lists runs newest first, a page at a time, and forgets the oldest beyond the configured number', async () => {
    await start({ SKIFF_AUCTION_READY_PROBABILITY: '1', SKIFF_ORDERS_PIPELINE_RUNS_KEPT: '3' });
    const firstRun = await harness.runToEnd();
    expect(firstRun).toMatchObject({ settled: orders.length, left: 0 });
    const ids = [String(firstRun.runId)];
    for (let i = 0; i < 3; i += 1) ids.push(String((await harness.runToEnd()).runId));
    const list = async (query: string) =>
      harness.platform.app.inject({ method: 'GET', url: `/orders/pipeline/runs${query}` });

    const first = await list('?limit=2');
    expect(first.statusCode).toBe(200);
    expect(first.json().runs.map((run: { runId: string }) => run.runId)).toEqual([ids[3], ids[2]]);
    expect(first.json().runs[0]).toMatchObject({ status: 'SUCCEEDED', settled: 0, left: 0 });
    const second = await list(`?limit=2&cursor=${first.json().next}`);
    // Only three finished runs are kept: the first one is forgotten.
    expect(second.json()).toEqual({ runs: [expect.objectContaining({ runId: ids[1] })], next: null });
    expect((await harness.platform.app.inject({ url: `/orders/pipeline/runs/${ids[0]}` })).statusCode).toBe(
      404,
    );

    const forged = await list('?cursor=e30');
    expect(forged.statusCode).toBe(400);
    expect(forged.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect((await list('?limit=0')).statusCode).toBe(400);
    expect((await list('?limit=101')).statusCode).toBe(400);
  });

  it('refuses to start a run by hand while one is going, naming it, and starts one once it has ended', async () => {
    await start({
      SKIFF_AUCTION_READY_PROBABILITY: '0',
      SKIFF_ORDERS_PIPELINE_MAX_ATTEMPTS: '10',
      SKIFF_ORDERS_PIPELINE_WAIT_MS: '20',
    });
    const first = await harness.start();
    const refused = await harness.platform.app.inject({ method: 'POST', url: '/orders/pipeline/runs' });
    expect(refused.statusCode).toBe(409);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.json()).toMatchObject({
      status: 409,
      runId: first,
      detail: `Pipeline run ${first} is still going: start another once it has ended.`,
    });
    const page = await harness.platform.app.inject({ url: '/orders/pipeline/runs' });
    expect(page.json().runs.map((run: { runId: string }) => run.runId)).toEqual([first]);
    await harness.finished(first);
    expect(await harness.start()).not.toBe(first);
  });

  it('answers 404 for an unknown run and 400 for a malformed run id', async () => {
    await start({});
    const unknown = '/orders/pipeline/runs/0b7e2f2c-4a5b-4c3d-8e9f-0a1b2c3d4e5f';
    expect((await harness.platform.app.inject({ url: unknown })).statusCode).toBe(404);
    expect((await harness.platform.app.inject({ url: '/orders/pipeline/runs/nope' })).statusCode).toBe(400);
  });
});
