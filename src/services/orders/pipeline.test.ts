import { DeleteBucketCommand, GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../../local/test-platform.js';
import { seededFraction } from './domain.js';

/** The whole pipeline, run by aws-local-stepfunctions over the shared ASL, on embedded DynamoDB and S3. */
const bucket = 'skiff-local-orders-results';
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

let platform: TestPlatform;
afterEach(() => platform?.stop());

async function start(env: Record<string, string>) {
  platform = await startTestPlatform({
    env: {
      SERVICES: 'orders',
      SKIFF_ORDERS_PIPELINE_WAIT_MS: '10',
      SKIFF_AUCTION_ACCEPT_PROBABILITY: String(acceptProbability),
      ...env,
    },
  });
  await platform.app.inject({ method: 'POST', url: '/orders', payload: orders });
}

async function runToEnd() {
  const started = await platform.app.inject({ method: 'POST', url: '/orders/pipeline/runs' });
  expect(started.statusCode).toBe(202);
  const { runId } = started.json();
  for (let i = 0; i < 200; i += 1) {
    const run = (await platform.app.inject({ method: 'GET', url: `/orders/pipeline/runs/${runId}` })).json();
    if (run.status !== 'RUNNING') return run;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('the run did not finish');
}

const resultKeys = async () =>
  ((await platform.aws.s3.send(new ListObjectsV2Command({ Bucket: bucket }))).Contents ?? []).map((o) =>
    String(o.Key),
  );
const polls = () => platform.logs().filter((line) => line.event === 'auction.polled');

describe('the auction results pipeline', () => {
  it('waits for results, stores accepted orders in S3 and notifies once per rejected order', async () => {
    const seed = seedWithMixedOutcomes();
    await start({ SKIFF_AUCTION_SEED: seed, SKIFF_AUCTION_READY_PROBABILITY: '0.5' });
    const run = await runToEnd();
    const accepted = orders.filter((o) => seededFraction(seed, `accept:${o.record_id}`) < acceptProbability);
    const rejected = orders.filter((o) => !accepted.includes(o));

    expect(run).toMatchObject({
      status: 'SUCCEEDED',
      accepted: accepted.length,
      rejected: rejected.length,
      error: null,
    });
    expect(run.stoppedAt).toEqual(expect.any(String));
    expect(polls().map((line) => line.ready)).toEqual([false, true]);

    const date = run.startedAt.slice(0, 10);
    expect((await resultKeys()).sort()).toEqual(
      accepted.map((o) => `results/${date}/${o.record_id}.json`).sort(),
    );
    const stored = await platform.aws.s3.send(
      new GetObjectCommand({ Bucket: bucket, Key: `results/${date}/${accepted[0]?.record_id}.json` }),
    );
    expect(JSON.parse((await stored.Body?.transformToString()) ?? '')).toMatchObject({
      record_id: accepted[0]?.record_id,
      status: 'accepted',
      power: expect.any(Number),
    });

    const notices = platform.inbox.list();
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
    }
    const decided = (
      await platform.app.inject({ method: 'GET', url: `/orders/${rejected[0]?.record_id}` })
    ).json();
    expect(decided).toMatchObject({ status: 'rejected', power: expect.any(Number) });

    // Re-running is safe: decided orders are not fetched again, nothing is stored or sent twice.
    const again = await runToEnd();
    expect(again).toMatchObject({ status: 'SUCCEEDED', accepted: 0, rejected: 0 });
    expect((await resultKeys()).length).toBe(accepted.length);
    expect(platform.inbox.list()).toHaveLength(rejected.length);

    // Orders posted again are pending again; their results overwrite the same objects.
    await platform.app.inject({ method: 'POST', url: '/orders', payload: orders });
    await runToEnd();
    expect((await resultKeys()).length).toBe(accepted.length);
  });

  it('gives up after the configured number of polls, fails and notifies', async () => {
    await start({
      SKIFF_AUCTION_SEED: 'never',
      SKIFF_AUCTION_READY_PROBABILITY: '0',
      SKIFF_ORDERS_PIPELINE_MAX_ATTEMPTS: '3',
    });
    const run = await runToEnd();
    expect(run).toMatchObject({
      status: 'FAILED',
      accepted: null,
      rejected: null,
      error: { error: 'ResultsNotReady' },
    });
    expect(polls()).toHaveLength(3);
    expect(platform.inbox.list()).toEqual([
      expect.objectContaining({
        subject: 'Auction results not ready',
        message: 'The auction platform had no results after 3 attempts.',
      }),
    ]);
    expect(await resultKeys()).toEqual([]);
  });

  it('notifies and fails on any other failure (here, the results bucket is gone)', async () => {
    await start({
      SKIFF_AUCTION_SEED: 'fail',
      SKIFF_AUCTION_READY_PROBABILITY: '1',
      SKIFF_AUCTION_ACCEPT_PROBABILITY: '1',
    });
    await platform.aws.s3.send(new DeleteBucketCommand({ Bucket: bucket }));
    const run = await runToEnd();
    expect(run).toMatchObject({ status: 'FAILED', error: { error: 'PipelineFailed' } });
    expect(platform.inbox.list()).toEqual([
      expect.objectContaining({
        subject: 'Orders pipeline failed',
        message: expect.stringContaining('NoSuchBucket'),
      }),
    ]);
  });

  it('starts runs on the local schedule when SKIFF_ORDERS_PIPELINE_INTERVAL is set', async () => {
    await start({ SKIFF_ORDERS_PIPELINE_INTERVAL: '50', SKIFF_AUCTION_READY_PROBABILITY: '1' });
    for (let i = 0; i < 100 && !platform.logs().some((line) => line.event === 'pipeline.scheduled'); i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(platform.logs().filter((line) => line.event === 'pipeline.scheduled').length).toBeGreaterThan(0);
  });

  it('stops cleanly while a run is polling: running tasks finish before the engines close', async () => {
    await start({
      SKIFF_AUCTION_READY_PROBABILITY: '0',
      SKIFF_ORDERS_PIPELINE_MAX_ATTEMPTS: '1000',
      SKIFF_ORDERS_PIPELINE_WAIT_MS: '0',
    });
    await platform.app.inject({ method: 'POST', url: '/orders/pipeline/runs' });
    while (polls().length < 3) await new Promise((resolve) => setTimeout(resolve, 5));
    await platform.stop();
    const pollsAtStop = polls().length;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(polls().length).toBe(pollsAtStop);
  });

  it('answers 404 for an unknown run and 400 for a malformed run id', async () => {
    await start({});
    expect(
      (
        await platform.app.inject({
          method: 'GET',
          url: '/orders/pipeline/runs/0b7e2f2c-4a5b-4c3d-8e9f-0a1b2c3d4e5f',
        })
      ).statusCode,
    ).toBe(404);
    expect((await platform.app.inject({ method: 'GET', url: '/orders/pipeline/runs/nope' })).statusCode).toBe(
      400,
    );
  });
});
