import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { LocalInbox } from '../notify/local-inbox.js';
import { localWorkflowRunner } from './local-runner.js';
import { RunHistory } from './run-history.js';
import { stateLimitBytes } from './state-size-guard.js';
import type { RunDescription } from './workflow-runner.js';

const definition = {
  StartAt: 'Make',
  States: {
    Make: {
      Type: 'Task',
      Resource: 'arn:aws:lambda:local:000000000000:function:make',
      Retry: [{ ErrorEquals: ['Flaky'], IntervalSeconds: 30, MaxAttempts: 2 }],
      End: true,
    },
  },
};

function runner(make: (input: unknown) => Promise<unknown>) {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  const local = localWorkflowRunner({
    definition,
    tasks: { Make: make },
    publishStates: [],
    notifier: new LocalInbox(),
    waitMs: 1,
    keepFinished: 10,
    clock: () => new Date(),
    log: pino(sink),
  });
  const finished = async (runId: string) => {
    for (let i = 0; i < 400; i += 1) {
      const run = await local.describe(runId);
      if (run && run.status !== 'RUNNING') return run;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    throw new Error('the run did not finish');
  };
  return { local, lines, finished };
}

describe('the local workflow runner', () => {
  it("fails a run whose state passes Step Functions' 256 KiB, as AWS would, uncaught", async () => {
    const { local, finished, lines } = runner(async () => ({ blob: 'x'.repeat(stateLimitBytes) }));
    const run = await finished((await local.start({})).runId);
    expect(run).toMatchObject({ status: 'FAILED', error: { error: 'States.DataLimitExceeded' } });
    expect(run.error?.cause).toMatch(/state 'Make' is 2621\d\d bytes, over Step Functions' limit of 262144/);
    expect(lines.find((line) => line.event === 'workflow.finished')).toMatchObject({
      status: 'FAILED',
      largestState: { state: 'Make', bytes: expect.any(Number) },
    });
  });

  it('passes a state just within the limit, and logs the largest state of the run', async () => {
    const fits = 'x'.repeat(stateLimitBytes - 20);
    const { local, finished, lines } = runner(async () => ({ blob: fits }));
    expect(await finished((await local.start({})).runId)).toMatchObject({ status: 'SUCCEEDED' });
    const largest = lines.find((line) => line.event === 'workflow.finished')?.largestState as {
      bytes: number;
    };
    expect(largest.bytes).toBe(stateLimitBytes - 9);
  });

  it("shortens Retry's pauses locally (30 s on AWS)", async () => {
    let calls = 0;
    const { local, finished } = runner(async () => {
      calls += 1;
      if (calls === 1) throw Object.assign(new Error('again'), { name: 'Flaky' });
      return { ok: true };
    });
    const started = Date.now();
    expect(await finished((await local.start({})).runId)).toMatchObject({
      status: 'SUCCEEDED',
      output: { ok: true },
    });
    expect(calls).toBe(2);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

describe('RunHistory', () => {
  const run = (runId: string, status: RunDescription['status'] = 'SUCCEEDED'): RunDescription => ({
    runId,
    status,
    startedAt: '2026-11-22T09:00:00.000Z',
  });

  it('keeps running runs and the newest finished ones, listed newest first', () => {
    const history = new RunHistory(2);
    for (const id of ['a', 'b', 'c', 'd']) history.started(run(id, 'RUNNING'));
    for (const id of ['b', 'c', 'd']) history.finished(run(id));
    // `b` finished first and is forgotten; `a` still runs and is kept.
    expect(history.page(10).runs.map((r) => r.runId)).toEqual(['d', 'c', 'a']);
    expect(history.get('b')).toBeUndefined();
    const first = history.page(2);
    expect(first).toEqual({
      runs: [expect.objectContaining({ runId: 'd' }), expect.objectContaining({ runId: 'c' })],
      next: 'c',
    });
    expect(history.page(2, first.next)).toEqual({ runs: [expect.objectContaining({ runId: 'a' })] });
    expect(() => history.page(2, 'b')).toThrow(/not a cursor/);
  });
});
