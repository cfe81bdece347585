/**
 * P5: each Lambda bundle's size, built exactly as the stacks deploy it (infra/lambda-bundling.ts),
 * and its cold start: a fresh Node process loads the bundle and answers one API Gateway event
 * (`GET /healthz`), median of rounds. Not ratios: held to 1 MB and 150 ms (load + first event; Node's
 * own start, which Lambda's runtime pays whatever the code, is not counted).
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildLambdaBundle,
  lambdaEntries,
  maxLambdaBundleBytes,
  packageBytes,
} from '../infra/lambda-bundling.js';
import { report } from './lib/report.js';
import { median } from './lib/rounds.js';

const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const coldStart = new URL('./servers/cold-start.cjs', import.meta.url).pathname;
/** What the stacks set, with fake credentials: /healthz calls nothing, but clients are configured. */
const lambdaEnv = {
  PATH: process.env.PATH,
  SKIFF_STAGE: 'dev',
  AWS_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  SKIFF_SNS_TOPIC_ARNS: [
    'arn:aws:sns:eu-west-1:111111111111:skiff-dev-donations-thank-you',
    'arn:aws:sns:eu-west-1:111111111111:skiff-dev-orders-notifications',
  ].join(','),
  SKIFF_ORDERS_STATE_MACHINE_ARN: 'arn:aws:states:eu-west-1:111111111111:stateMachine:skiff-dev-orders',
  LOG_LEVEL: 'warn',
};

const folder = await mkdtemp(join(tmpdir(), 'skiff-bench-p5-'));
try {
  for (const { service, entry } of lambdaEntries.filter((e) => e.deployed)) {
    // The bundle is CommonJS: outside the repository (whose package.json says "module") as on Lambda.
    const outfile = join(folder, service, 'index.js');
    const { metafile } = await buildLambdaBundle(entry, outfile);
    const bytes = (await stat(outfile)).size;
    const starts = Array.from({ length: rounds }, () => {
      const line = execFileSync(process.execPath, [coldStart, outfile], { env: lambdaEnv, encoding: 'utf8' });
      const { loadMs, firstEventMs, status } = JSON.parse(line);
      if (status !== 200) throw new Error(`${service}: GET /healthz answered ${status} on a cold start`);
      return { loadMs, firstEventMs, totalMs: loadMs + firstEventMs };
    });
    const top = packageBytes(metafile)
      .slice(0, 6)
      .map(([name, size]) => `${name} ${Math.round(size / 1024)} KB`)
      .join(', ');
    report(
      {
        id: 'P5',
        what: `${service} bundle (bytes)`,
        value: bytes,
        reference: 0,
        unit: 'bytes',
        goal: { atMost: maxLambdaBundleBytes },
        absolute: true,
      },
      [`largest parts: ${top}`],
    );
    report(
      {
        id: 'P5',
        what: `${service} cold start: load + first event (ms)`,
        value: median(starts.map((s) => s.totalMs)),
        reference: 0,
        unit: 'ms',
        goal: { atMost: 150 },
        absolute: true,
      },
      [
        `load ${median(starts.map((s) => s.loadMs)).toFixed(0)} ms, first event ${median(starts.map((s) => s.firstEventMs)).toFixed(0)} ms (medians of ${rounds} fresh processes)`,
      ],
    );
  }
} finally {
  await rm(folder, { recursive: true, force: true });
}
