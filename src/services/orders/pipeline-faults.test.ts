import { CreateBucketCommand, DeleteBucketCommand } from '@aws-sdk/client-s3';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type CommandMatch,
  type SentCommand,
  type WriteFault,
  withWriteFaults,
} from '../../local/write-faults.js';
import type { LocalInbox } from '../../platform/notify/local-inbox.js';
import type { Notifier } from '../../platform/notify/notifier.js';
import { stateLimitBytes } from '../../platform/workflow/state-size-guard.js';
import {
  keyFor,
  ordersOf,
  type PipelineHarness,
  pipelineHarness,
  resultsBucket,
} from './pipeline-test-kit.js';

/** The pipeline under faults and overlap: nothing lost, nothing delivered twice. */
let harness: PipelineHarness;
afterEach(() => harness?.platform.stop());

/**
 * Every PutObject the services send, by key: an overwrite would hide a double delivery from a listing.
 * Call it before the platform sends its first PutObject: the S3 client keeps each command's resolved
 * middleware, so one added later would not run for PutObject (decision 0022).
 */
function countPuts(): Map<string, number> {
  const puts = new Map<string, number>();
  harness.platform.aws.s3.middlewareStack.add(
    ((next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) =>
      async (args: { input: { Key?: string } }) => {
        if (context.commandName === 'PutObjectCommand') {
          const key = String(args.input.Key);
          puts.set(key, (puts.get(key) ?? 0) + 1);
        }
        return next(args);
      }) as never,
    { step: 'initialize', name: 'countPuts' },
  );
  return puts;
}

/** Every order settled exactly once, as its stored outcome says: one result object or one notice. */
async function expectSettledOnce(recordIds: string[], puts: Map<string, number>) {
  const notices = harness.noticesPerOrder();
  for (const id of recordIds) {
    const order = await harness.order(id);
    expect(order).toMatchObject({ settledAt: expect.any(String) });
    const key = keyFor(id, String(order.decidedAt));
    if (order.status === 'accepted') {
      expect([id, puts.get(key) ?? 0, notices.get(id) ?? 0]).toEqual([id, 1, 0]);
    } else {
      expect([id, puts.get(key) ?? 0, notices.get(id) ?? 0]).toEqual([id, 0, 1]);
    }
  }
  expect(await harness.resultKeys()).toHaveLength([...puts.keys()].length);
}

describe('a run that fails part way', () => {
  it('leaves the undelivered orders to the next run, which settles each exactly once', async () => {
    harness = await pipelineHarness({ SKIFF_AUCTION_READY_PROBABILITY: '1', SKIFF_AUCTION_SEED: 'bucket' });
    const orders = ordersOf(20);
    await harness.post(orders);
    const puts = countPuts();
    await harness.platform.aws.s3.send(new DeleteBucketCommand({ Bucket: resultsBucket }));

    const failed = await harness.runToEnd();
    const accepted = Number(failed.orders) - Number(failed.rejected);
    expect(accepted).toBeGreaterThan(0);
    expect(failed).toMatchObject({
      status: 'FAILED',
      error: { error: 'OrdersLeft' },
      orders: 20,
      left: accepted,
      settled: failed.rejected,
    });
    expect(harness.platform.inbox.list()).toContainEqual(
      expect.objectContaining({
        subject: 'Auction orders left for the next run',
        message: expect.stringContaining(`${accepted} of 20 orders could not be delivered`),
      }),
    );
    expect(harness.platform.inbox.list().at(-1)?.message).toContain('"NoSuchBucket":');
    const waiting = await harness.order('o-0000');
    expect(waiting.settledAt === undefined || waiting.status === 'rejected').toBe(true);

    await harness.platform.aws.s3.send(new CreateBucketCommand({ Bucket: resultsBucket }));
    puts.clear();
    const next = await harness.runToEnd();
    expect(next).toMatchObject({ status: 'SUCCEEDED', orders: accepted, settled: accepted, left: 0 });
    await expectSettledOnce(
      orders.map((o) => o.record_id),
      puts,
    );
  });

  it('retries a notifier that fails twice, then sends one notice and loses nothing', async () => {
    let failures = 0;
    const flaky = (inbox: LocalInbox): Notifier => ({
      publish: async (notification) => {
        if (notification.subject === 'Auction order rejected' && failures < 2) {
          failures += 1;
          throw Object.assign(new Error('SNS is having a moment'), {
            name: 'InternalErrorException',
            $fault: 'server',
            $metadata: { httpStatusCode: 500 },
          });
        }
        return inbox.publish(notification);
      },
    });
    harness = await pipelineHarness(
      { SKIFF_AUCTION_READY_PROBABILITY: '1', SKIFF_AUCTION_ACCEPT_PROBABILITY: '0' },
      { notifier: flaky },
    );
    const orders = ordersOf(3);
    await harness.post(orders);
    const run = await harness.runToEnd();
    expect(failures).toBe(2);
    expect(run).toMatchObject({ status: 'SUCCEEDED', settled: 3, rejected: 3, left: 0 });
    expect([...harness.noticesPerOrder().values()]).toEqual([1, 1, 1]);
    const retried = harness.platform.logs().filter((line) => line.event === 'order.left');
    expect(retried).toHaveLength(2);
    expect(retried[0]).toMatchObject({ fault: 'InternalErrorException', transient: true });
  });
});

describe('a delivered order whose settle write fails', () => {
  it('is left to its claim, not given back, so the next run sends no second notice', async () => {
    harness = await pipelineHarness({
      SKIFF_AUCTION_READY_PROBABILITY: '1',
      SKIFF_AUCTION_ACCEPT_PROBABILITY: '0',
    });
    const orders = ordersOf(3);
    await harness.post(orders);
    // The settle of o-0001 fails as DynamoDB would after the SDK's retries, once its notice is out.
    const name = 'failSettle';
    harness.platform.aws.documents.middlewareStack.add(
      ((next: (args: unknown) => Promise<unknown>) =>
        async (args: { input: { Key?: { record_id?: string }; UpdateExpression?: string } }) => {
          const { Key, UpdateExpression } = args.input;
          if (Key?.record_id === 'o-0001' && UpdateExpression?.startsWith('SET settledAt')) {
            throw Object.assign(new Error('internal'), { name: 'InternalServerError' });
          }
          return next(args);
        }) as never,
      { step: 'initialize', name },
    );
    const failed = await harness.runToEnd();
    expect(failed).toMatchObject({ status: 'FAILED', settled: 2, left: 1 });
    // The operators' notice names the fault, not "Unknown".
    expect(harness.platform.inbox.list().at(-1)?.message).toContain('"InternalServerError":1');
    harness.platform.aws.documents.middlewareStack.remove(name);

    const next = await harness.runToEnd();
    expect(next).toMatchObject({ orders: 1, settled: 0 });
    expect(harness.noticesPerOrder().get('o-0001')).toBe(1);
    expect(await harness.order('o-0001')).not.toHaveProperty('settledAt');
  });
});

describe('a claim and a settle whose answers were lost', () => {
  it("are still the holder's when the SDK sends them again, and each order is settled once", async () => {
    harness = await pipelineHarness({ SKIFF_AUCTION_READY_PROBABILITY: '1', SKIFF_AUCTION_SEED: 'lost' });
    const orders = ordersOf(3);
    await harness.post(orders);
    const puts = countPuts();
    const update = (prefix: string) => (command: SentCommand) =>
      command.constructor.name === 'UpdateCommand' &&
      command.input.UpdateExpression?.startsWith(prefix) === true;
    const rules: [CommandMatch, WriteFault][] = [
      [update('SET claim = :holder'), 'lands, then retried'],
      [update('SET settledAt'), 'lands, then retried'],
    ];
    await withWriteFaults(harness.platform.aws.documents, rules, async () => {
      expect(await harness.runToEnd()).toMatchObject({ status: 'SUCCEEDED', settled: 3, left: 0 });
    });
    await expectSettledOnce(
      orders.map((o) => o.record_id),
      puts,
    );
  });
});

describe('overlapping runs', () => {
  it('settle every order exactly once, each with its one stored outcome', async () => {
    // No seed: each run draws its own answers, and the first decision recorded is the one delivered.
    harness = await pipelineHarness({ SKIFF_AUCTION_READY_PROBABILITY: '1' });
    const orders = ordersOf(30);
    await harness.post(orders);
    const puts = countPuts();
    // The schedule starts a run whether or not one is going (only the API refuses a second).
    const runIds = [await harness.start(), await harness.startScheduled(), await harness.startScheduled()];
    const runs = await Promise.all(runIds.map((runId) => harness.finished(runId)));
    for (const run of runs) expect(run).toMatchObject({ status: 'SUCCEEDED', left: 0 });
    expect(runs.reduce((sum, run) => sum + Number(run.settled), 0)).toBe(30);
    expect(new Set(runs.map((run) => run.seed)).size).toBe(3);
    await expectSettledOnce(
      orders.map((o) => o.record_id),
      puts,
    );
  });
});

describe("Step Functions' limits", () => {
  it('settles 1000 orders with the longest record_id and parameter_1 in one run, every state far below 256 KiB', async () => {
    harness = await pipelineHarness({ SKIFF_AUCTION_READY_PROBABILITY: '1', SKIFF_AUCTION_SEED: 'large' });
    // 128 characters of four UTF-8 bytes each (the schema counts characters), and 1024 for parameter_1.
    const longest = Array.from({ length: 1000 }, (_, i) => ({
      record_id: `${String(i).padStart(4, '0')}${'😀'.repeat(124)}`,
      parameter_1: '😀'.repeat(1024),
      parameter_2: Number.MAX_SAFE_INTEGER,
    }));
    await harness.post(longest);
    const run = await harness.runToEnd();
    expect(run).toMatchObject({ status: 'SUCCEEDED', orders: 1000, settled: 1000, left: 0 });
    const [finished] = harness.platform.logs().filter((line) => line.event === 'workflow.finished');
    const largest = finished?.largestState as { state: string; bytes: number };
    console.info(`largest state of a 1000-order run with the longest fields: ${JSON.stringify(largest)}`);
    expect(largest.bytes).toBeGreaterThan(0);
    expect(largest.bytes).toBeLessThan(stateLimitBytes / 50);
    expect(await harness.resultKeys()).toHaveLength(Number(run.accepted));
  }, 120_000);
});
