import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './test-process.js';

/**
 * AWS's own DynamoDB Local (Java), for `npm run test:engines` and for trying skiff on it by hand.
 * `npm start` and `npm test` never need it (nor Java). The jar ships in the npm package
 * `amplify-dynamodb-simulator`; only its `emulator/` folder is taken (`npm pack`, no dependencies),
 * into `.skiff/dynamodb-local/`.
 */
export const dynamoDbLocalPackage = 'amplify-dynamodb-simulator@2.9.30';
export const dynamoDbLocalDir = join(process.cwd(), '.skiff', 'dynamodb-local');

/** The jar, fetched from the npm registry on first use. */
export function ensureDynamoDbLocal(dir = dynamoDbLocalDir): string {
  const jar = join(dir, 'DynamoDBLocal.jar');
  if (existsSync(jar)) return jar;
  const work = mkdtempSync(join(tmpdir(), 'skiff-dynamodb-local-'));
  try {
    const tarball = execFileSync(
      'npm',
      ['pack', dynamoDbLocalPackage, '--silent', '--pack-destination', work],
      {
        encoding: 'utf8',
      },
    ).trim();
    execFileSync('tar', ['-xzf', join(work, tarball), '-C', work, 'package/emulator']);
    mkdirSync(join(dir, '..'), { recursive: true });
    rmSync(dir, { recursive: true, force: true });
    renameSync(join(work, 'package', 'emulator'), dir);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return jar;
}

/** Answers once DynamoDB Local takes requests (any HTTP answer will do: an unsigned call is refused). */
async function waitUntilUp(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`DynamoDB Local exited with ${child.exitCode}`);
    if (
      await fetch(url, { method: 'POST' }).then(
        () => true,
        () => false,
      )
    )
      return;
    if (Date.now() > deadline) throw new Error('DynamoDB Local did not start in 30 s');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * DynamoDB Local on `port` (a free one by default), its tables kept in `dbPath` (so a restart keeps
 * them, as dynalite's folder does); `close` stops it.
 */
export async function startDynamoDbLocal(
  dbPath: string,
  port?: number,
): Promise<{ url: string; close(): Promise<void> }> {
  const jar = ensureDynamoDbLocal();
  mkdirSync(dbPath, { recursive: true });
  port ??= await freePort();
  const child = spawn(
    'java',
    [
      `-Djava.library.path=${join(jar, '..', 'DynamoDBLocal_lib')}`,
      '-jar',
      jar,
      '-port',
      String(port),
      '-dbPath',
      dbPath,
    ],
    // It writes a metadata file into its working folder: the data folder, not the caller's.
    { stdio: 'ignore', cwd: dbPath },
  );
  // A JVM outlives its parent: if the test process ends without closing it, it goes too.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntilUp(url, child);
  } catch (error) {
    killOnExit();
    process.removeListener('exit', killOnExit);
    throw error;
  }
  return {
    url,
    async close() {
      process.removeListener('exit', killOnExit);
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

// `npm run dynamodb-local`: DynamoDB Local on :8000 (or PORT), its tables in .skiff/dynamodb-local-data,
// until Ctrl-C; then `AWS_ENDPOINT_URL_DYNAMODB=http://localhost:8000 npm start`.
if (import.meta.url === `file://${process.argv[1]}`) {
  const port = Number(process.env.PORT ?? 8000);
  const running = await startDynamoDbLocal(join(dynamoDbLocalDir, '..', 'dynamodb-local-data'), port);
  console.log(`DynamoDB Local at http://localhost:${port} (Ctrl-C stops it)`);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void running.close());
}
