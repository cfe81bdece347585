// `npm run test:engines`, second part: the S3, SQS and SNS paths on moto_server (an independent
// emulator, standing in for LocalStack) when it is installed; said and skipped when it is not.
import { spawnSync } from 'node:child_process';

const found = spawnSync('moto_server', ['--help'], { stdio: 'ignore' });
if (found.error) {
  console.log(
    "test:engines: moto_server is not installed, so the S3/SQS/SNS suites on moto are skipped (pip install 'moto[server]')",
  );
} else {
  const run = spawnSync('npx', ['vitest', 'run', '--config', 'vitest.moto.config.ts'], { stdio: 'inherit' });
  process.exitCode = run.status ?? 1;
}
