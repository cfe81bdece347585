import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { expect } from 'vitest';
import { startTestPlatform, type TestPlatform, type TestPlatformOptions } from '../../local/test-platform.js';
import { scheduledRunTask } from './api-service.js';
import { maxOrdersPerRequest, type OrderInput, resultKey } from './domain.js';

/** Test helpers for the pipeline suites: one platform with the orders service, driven through its API. */
export const resultsBucket = 'skiff-local-orders-results';

export interface PipelineHarness {
  platform: TestPlatform;
  post(orders: OrderInput[]): Promise<void>;
  start(): Promise<string>;
  /** Starts a run as the schedule does, which the API's one-run-at-a-time rule does not hold back. */
  startScheduled(): Promise<string>;
  finished(runId: string): Promise<Record<string, unknown>>;
  runToEnd(): Promise<Record<string, unknown>>;
  resultKeys(): Promise<string[]>;
  /** Rejection notices per record_id. */
  noticesPerOrder(): Map<string, number>;
  order(recordId: string): Promise<Record<string, unknown>>;
}

export async function pipelineHarness(
  env: Record<string, string>,
  options: TestPlatformOptions = {},
): Promise<PipelineHarness> {
  const platform = await startTestPlatform({
    ...options,
    env: { SERVICES: 'orders', SKIFF_ORDERS_PIPELINE_WAIT_MS: '10', ...env },
  });
  const { app } = platform;
  const finished = async (runId: string) => {
    for (let i = 0; i < 2400; i += 1) {
      const run = (await app.inject({ method: 'GET', url: `/orders/pipeline/runs/${runId}` })).json();
      if (run.status !== 'RUNNING') return run;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error('the run did not finish');
  };
  const start = async () => {
    const started = await app.inject({ method: 'POST', url: '/orders/pipeline/runs' });
    expect(started.statusCode).toBe(202);
    return started.json().runId as string;
  };
  const scheduledIds = () =>
    platform
      .logs()
      .filter((line) => line.event === 'pipeline.scheduled')
      .map((line) => String(line.runId));
  return {
    platform,
    async startScheduled() {
      const before = new Set(scheduledIds());
      await platform.runTask('orders', scheduledRunTask);
      const runId = scheduledIds().find((id) => !before.has(id));
      if (runId === undefined) throw new Error('the scheduled task started no run');
      return runId;
    },
    async post(orders) {
      // Within the body limit: the longest orders take about 4.5 KB each.
      for (let i = 0; i < orders.length; i += maxOrdersPerRequest / 10) {
        const payload = orders.slice(i, i + maxOrdersPerRequest / 10);
        const answer = await app.inject({ method: 'POST', url: '/orders', payload });
        expect(answer.statusCode).toBe(201);
      }
    },
    start,
    finished,
    runToEnd: async () => finished(await start()),
    async resultKeys() {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const page = await platform.aws.s3.send(
          new ListObjectsV2Command({ Bucket: resultsBucket, ContinuationToken: token }),
        );
        keys.push(...(page.Contents ?? []).map((o) => String(o.Key)));
        token = page.NextContinuationToken;
      } while (token);
      return keys;
    },
    noticesPerOrder() {
      const counts = new Map<string, number>();
      for (const notice of platform.inbox.list()) {
        if (notice.subject !== 'Auction order rejected') continue;
        const id = String(notice.attributes.record_id);
        counts.set(id, (counts.get(id) ?? 0) + 1);
      }
      return counts;
    },
    async order(recordId) {
      const answer = await app.inject({ method: 'GET', url: `/orders/${encodeURIComponent(recordId)}` });
      return answer.json();
    },
  };
}

export const ordersOf = (count: number, prefix = 'o') =>
  Array.from({ length: count }, (_, i) => ({
    record_id: `${prefix}-${String(i).padStart(4, '0')}`,
    parameter_1: 'p',
    parameter_2: i,
  }));

/** The S3 key of an accepted result, as a listing shows it. */
export const keyFor = (record_id: string, decidedAt: string) => resultKey({ record_id, decidedAt });
