import { type ChildProcess, spawn } from 'node:child_process';
import { freePort } from './test-process.js';

/**
 * moto_server (Python; `pip install 'moto[server]'`), an independent emulator of S3, SQS, SNS and
 * DynamoDB standing in for LocalStack, on a free port. For the `*.moto-test.ts` suites only, which
 * `npm run test:engines` runs when it is installed.
 */
export async function startMotoServer(): Promise<{ endpoint: string; stop(): void }> {
  const port = await freePort();
  const child: ChildProcess = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: 'ignore',
  });
  // moto outlives its parent: if the test process ends without stopping it, it goes too.
  const stop = () => {
    process.removeListener('exit', stop);
    child.kill();
  };
  process.once('exit', stop);
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`moto_server exited with ${child.exitCode}`);
    const ready = await fetch(`${endpoint}/moto-api/`).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) return { endpoint, stop };
    if (Date.now() > deadline) {
      stop();
      throw new Error('moto_server did not start in 30 s');
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
