/**
 * P6: how long `npm start` takes until `GET /healthz` answers, on a fresh data folder (tables and
 * buckets created, the demo tenant seeded), as a person would first run it; median of rounds.
 * Not a ratio: held to 3 s.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../src/local/test-process.js';
import { hasExited, terminate } from './lib/children.js';
import { report } from './lib/report.js';
import { median } from './lib/rounds.js';

const rounds = Number(process.env.BENCH_ROUNDS ?? 3);

async function startOnce(): Promise<number> {
  const dataDir = await mkdtemp(join(tmpdir(), 'skiff-bench-p6-'));
  const port = await freePort();
  const env = {
    ...process.env,
    PORT: String(port),
    SKIFF_DATA_DIR: dataDir,
    SKIFF_LOCAL_DYNAMODB_PORT: String(await freePort()),
    SKIFF_LOCAL_S3_PORT: String(await freePort()),
  };
  const started = performance.now();
  const child = spawn('npm', ['start', '--silent'], { env, stdio: 'ignore', detached: true });
  try {
    for (;;) {
      if (hasExited(child)) {
        throw new Error(`npm start exited with ${child.exitCode ?? child.signalCode}`);
      }
      // A connection accepted but never answered must not stall the loop past its 30 s either.
      const answer = await fetch(`http://127.0.0.1:${port}/healthz`, {
        signal: AbortSignal.timeout(2_000),
      }).catch(() => undefined);
      if (answer?.status === 200) return performance.now() - started;
      // An answer not read would hold its connection until collected.
      await answer?.body?.cancel();
      if (performance.now() - started > 30_000) throw new Error('npm start did not answer in 30 s');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } finally {
    // npm runs node as its child: the group is signalled, as a terminal's Ctrl-C would.
    // (ESRCH when the group is already gone, e.g. npm start failed: its own error is the one to see.)
    await terminate(child, 10_000, (signal) => {
      try {
        process.kill(-(child.pid as number), signal);
      } catch {}
    });
    await rm(dataDir, { recursive: true, force: true });
  }
}

const times: number[] = [];
for (let round = 0; round < rounds; round += 1) times.push(await startOnce());
report(
  {
    id: 'P6',
    what: 'npm start until /healthz answers (fresh data folder)',
    value: median(times) / 1000,
    reference: 0,
    unit: 's',
    goal: { atMost: 3 },
    absolute: true,
  },
  [`rounds: ${times.map((t) => `${(t / 1000).toFixed(2)} s`).join(', ')}`],
);
