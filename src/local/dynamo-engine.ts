import { fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { listenFailure } from '../platform/listen-failure.js';

/** The embedded DynamoDB's process; `pid` lets benchmarks read its memory. */
export interface EmbeddedDynamo {
  url: string;
  pid: number;
  close(): Promise<void>;
}

export interface DynamoEngineOptions {
  host: string;
  dynamodbPort: number;
  /** The engines' data folder; the tables live in its `dynamodb` folder. */
  dataDir: string;
}

/**
 * dynalite in a child process (see dynalite-process.mjs): a core of its own for the engine, and
 * its memory counted apart from the services'. This module imports nothing but Node's own and a
 * one-function module, so `npm start` can fork the engine before it loads the platform's modules
 * (src/main.ts).
 */
export async function startEmbeddedDynamo({
  host,
  dynamodbPort: port,
  dataDir,
}: DynamoEngineOptions): Promise<EmbeddedDynamo> {
  const path = join(dataDir, 'dynamodb');
  await mkdir(path, { recursive: true });
  const child = fork(
    fileURLToPath(new URL('./dynalite-process.mjs', import.meta.url)),
    [host, String(port), path],
    {
      // A heap cap makes V8 collect before it grows: without it the engine's RSS rose by ~400 MiB over 1M rows.
      execArgv: ['--max-old-space-size=256'],
      // LevelDB's calls queue on libuv's pool: one thread leaves the other core to the server (measured
      // with the benchmark on 2 cores: about a quarter more rows a second than the default four).
      env: { ...process.env, UV_THREADPOOL_SIZE: '1' },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      // A process group of its own: Ctrl-C in a terminal signals the whole foreground group, and the
      // engine must outlive the requests the platform is finishing; the platform closes it last
      // (`close` below), and it closes itself when the platform goes away (dynalite-process.mjs).
      detached: true,
    },
  );
  const exited = once(child, 'exit');
  const [ready] = (await Promise.race([
    once(child, 'message'),
    exited.then(([code]) => {
      throw new Error(`the embedded DynamoDB stopped at start (exit code ${code})`);
    }),
  ])) as [{ port?: number; error?: string; code?: string }];
  if (ready.error !== undefined || ready.port === undefined) {
    child.kill();
    const cause = { code: ready.code, message: ready.error };
    throw listenFailure('the embedded DynamoDB', `${host}:${port}`, 'SKIFF_LOCAL_DYNAMODB_PORT', cause);
  }
  return {
    url: `http://${host}:${ready.port}`,
    pid: child.pid as number,
    close: async () => {
      if (child.exitCode !== null) return;
      child.send('close');
      await exited;
    },
  };
}
