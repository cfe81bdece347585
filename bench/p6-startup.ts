/**
 * P6: how long `npm start` takes until `GET /healthz` answers, on a fresh data folder (tables and
 * buckets created, the demo tenant seeded), as a person would first run it after `npm install`,
 * which leaves npm start's full build made; median of rounds. Not a ratio: held to 3 s. Each round
 * also times a start after an edit, which runs the quick build (scripts/start-build.mjs), beside it.
 */
import { execFileSync, spawn } from 'node:child_process';
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

/** What `npm install` leaves (its `prepare` script): the full build, current, whatever was edited. */
const makeBuild = () => execFileSync(process.execPath, ['scripts/start-build.mjs'], { stdio: 'inherit' });
/** Without its record, the full build is not trusted: the next start runs the quick one, as after an edit. */
const forgetBuild = () => rm(join('.skiff', 'start', 'build.json'), { force: true });

const times: number[] = [];
const afterEdit: number[] = [];
for (let round = 0; round < rounds; round += 1) {
  makeBuild();
  times.push(await startOnce());
  await forgetBuild();
  afterEdit.push(await startOnce());
}
makeBuild();
const seconds = (list: number[]) => list.map((t) => `${(t / 1000).toFixed(2)} s`).join(', ');
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
  [
    `rounds: ${seconds(times)}`,
    `after an edit (the quick build; the full one is remade 5 s after a start): median ${(median(afterEdit) / 1000).toFixed(2)} s (${seconds(afterEdit)})`,
  ],
);
