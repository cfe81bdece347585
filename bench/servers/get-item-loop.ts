/**
 * P2's reference: the raw AWS SDK v3 GetItem, in loops of `concurrency`, with the same client options
 * as the platform (createAwsClients), on the engine AWS_ENDPOINT_URL_DYNAMODB names. Asked over IPC
 * with `{ table, key, concurrency, seconds }`, it answers `{ perSecond }` after a one-second warm-up.
 */
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { localCredentials } from '../../src/local/engines.js';
import { createAwsClients } from '../../src/platform/aws/clients.js';
import { loadConfig } from '../../src/platform/config.js';

interface Run {
  table: string;
  key: Record<string, { S: string }>;
  concurrency: number;
  seconds: number;
}

const config = loadConfig();
const { dynamodb } = createAwsClients({
  region: config.region,
  endpoints: { dynamodb: config.endpoints.dynamodb },
  credentials: localCredentials,
  timeouts: config.awsTimeouts,
});

async function loops({ table, key, concurrency }: Run, seconds: number): Promise<number> {
  const until = Date.now() + seconds * 1000;
  let done = 0;
  const loop = async () => {
    while (Date.now() < until) {
      await dynamodb.send(new GetItemCommand({ TableName: table, Key: key }));
      done += 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  return done / seconds;
}

process.on('message', async (run: Run) => {
  await loops(run, 1);
  process.send?.({ perSecond: await loops(run, run.seconds) });
});
process.send?.({ ready: true });
process.on('SIGTERM', () => process.exit(0));
