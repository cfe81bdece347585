/**
 * P2's reference: the raw AWS SDK v3 GetItem, in loops of `concurrency`, with the same client options
 * as the platform (createAwsClients), on the engine AWS_ENDPOINT_URL_DYNAMODB names. Asked over IPC
 * with `{ input, concurrency, seconds }`, it answers `{ perSecond }`: calls completed over the
 * time the loops took (the driver warms it up with a first ask, as it warms the route).
 */
import { GetItemCommand, type GetItemCommandInput } from '@aws-sdk/client-dynamodb';
import { benchDynamoDB } from '../lib/greetings-get-item.js';

interface Run {
  /** The GetItem the route makes, field for field. */
  input: GetItemCommandInput;
  concurrency: number;
  seconds: number;
}

const dynamodb = benchDynamoDB();

async function loops({ input, concurrency, seconds }: Run): Promise<number> {
  const started = performance.now();
  const until = Date.now() + seconds * 1000;
  let done = 0;
  const loop = async () => {
    while (Date.now() < until) {
      await dynamodb.send(new GetItemCommand(input));
      done += 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  return done / ((performance.now() - started) / 1000);
}

process.on('message', async (run: Run) => {
  process.send?.({ perSecond: await loops(run) });
});
process.send?.({ ready: true });
process.on('SIGTERM', () => process.exit(0));
