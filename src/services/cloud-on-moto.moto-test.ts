import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { CreateTopicCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
} from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpApiEvent } from '../local/api-gateway-event.js';
import { localCredentials } from '../local/engines.js';
import { startMotoServer } from '../local/moto-server.js';
import { provisionResources } from '../local/provision.js';
import { type AwsClients, createAwsClients } from '../platform/aws/clients.js';
import { createHttpApiHandler } from '../platform/lambda-http.js';
import { createWorkflowTaskHandler } from '../platform/lambda-workers.js';
import { physicalName, resolveResources } from '../platform/resources.js';
import { donationsApi } from './donations/api-service.js';
import { donationsService } from './donations/service.js';
import { ordersApi } from './orders/api-service.js';
import { ordersDeliverBatch, ordersFetchResults } from './orders/pipeline-service.js';
import { ordersService } from './orders/service.js';

/**
 * The Lambda entries as AWS runs them (SNS for notices, not local mode's inbox), against moto: S3,
 * SQS, SNS and DynamoDB of an independent emulator. Each topic is subscribed to a queue, so what SNS
 * delivered can be read back. Run by `npm run test:engines` when moto_server is installed.
 */
let moto: { endpoint: string; stop(): void };
let aws: AwsClients;
let env: Record<string, string>;
const inboxes: Record<string, string> = {};
const context = { awsRequestId: 'moto' } as Context;

/** A queue subscribed to a new topic, with SNS's raw delivery: the queue gets each message as sent. */
async function topicWithInbox(name: string): Promise<string> {
  const { TopicArn } = await aws.sns.send(new CreateTopicCommand({ Name: name }));
  const { QueueUrl } = await aws.sqs.send(new CreateQueueCommand({ QueueName: `${name}-inbox` }));
  const { Attributes } = await aws.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
  );
  await aws.sns.send(
    new SubscribeCommand({
      TopicArn,
      Protocol: 'sqs',
      Endpoint: Attributes?.QueueArn,
      Attributes: { RawMessageDelivery: 'true' },
    }),
  );
  inboxes[name] = QueueUrl as string;
  return TopicArn as string;
}

/** Everything in a topic's inbox after `settleMs` of quiet (a late duplicate would still arrive). */
async function delivered(topic: string, settleMs = 1500): Promise<Message[]> {
  const messages: Message[] = [];
  let quietSince = Date.now();
  while (Date.now() - quietSince < settleMs) {
    const { Messages = [] } = await aws.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: inboxes[topic], MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );
    if (Messages.length > 0) quietSince = Date.now();
    messages.push(...Messages);
  }
  return messages;
}

beforeAll(async () => {
  moto = await startMotoServer();
  const endpoints = { dynamodb: moto.endpoint, s3: moto.endpoint, sns: moto.endpoint, sqs: moto.endpoint };
  aws = createAwsClients({
    region: 'eu-west-1',
    endpoints,
    credentials: localCredentials,
    timeouts: { connectMs: 2000, requestMs: 5000 },
    maxSockets: 128,
  });
  const services = [donationsService, ordersService];
  await provisionResources(
    aws,
    services.map((s) => resolveResources('local', s.name, s.resources)),
    pino({ level: 'silent' }),
  );
  const arns = [
    await topicWithInbox(physicalName('local', 'donations', 'thank-you')),
    await topicWithInbox(physicalName('local', 'orders', 'notifications')),
  ];
  process.env.AWS_ACCESS_KEY_ID = localCredentials.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = localCredentials.secretAccessKey;
  env = {
    AWS_REGION: 'eu-west-1',
    AWS_ENDPOINT_URL: moto.endpoint,
    SKIFF_STAGE: 'local',
    LOG_LEVEL: 'silent',
    SKIFF_SNS_TOPIC_ARNS: arns.join(','),
    SKIFF_ORDERS_STATE_MACHINE_ARN: 'arn:aws:states:eu-west-1:123456789012:stateMachine:skiff-local-orders',
  };
}, 60_000);
afterAll(() => {
  aws?.destroy();
  moto?.stop();
  delete process.env.AWS_ACCESS_KEY_ID;
  delete process.env.AWS_SECRET_ACCESS_KEY;
});

describe('the Lambda entries on moto (real SNS, S3 and SQS)', () => {
  it('sends exactly one thank-you through SNS at the second donation', async () => {
    const handler = createHttpApiHandler([donationsApi], env);
    for (const amount of [1250, 500]) {
      const answer = await handler(
        httpApiEvent('POST', '/donations', { donorId: 'dora', amount, currency: 'GBP' }),
        context,
      );
      expect(answer.statusCode).toBe(201);
    }
    const thanks = await delivered(physicalName('local', 'donations', 'thank-you'));
    expect(thanks).toHaveLength(1);
    expect(thanks[0]?.Body).toMatch(/2 donations/);
  });

  it("stores accepted results in S3 and sends one notice per rejected order, through the pipeline's tasks", async () => {
    const orders = Array.from({ length: 12 }, (_, i) => ({
      record_id: `moto-${i}`,
      parameter_1: 'abc',
      parameter_2: i,
    }));
    const http = createHttpApiHandler([ordersApi], env);
    expect((await http(httpApiEvent('POST', '/orders', orders), context)).statusCode).toBe(201);
    // Each Task state as its own function runs it: with only that function's clients.
    const taskEnv = { ...env, SKIFF_AUCTION_READY_PROBABILITY: '1' };
    const fetchResults = createWorkflowTaskHandler(ordersFetchResults, 'fetchResults', taskEnv);
    const deliverBatch = createWorkflowTaskHandler(ordersDeliverBatch, 'deliverBatch', taskEnv);
    const fetched = (await fetchResults({ runId: 'moto-run', attempt: 0, maxAttempts: 1 })) as {
      batches: number[];
    };
    for (const batch of fetched.batches) await deliverBatch({ runId: 'moto-run', batch });

    const outcomes = await Promise.all(
      orders.map(async ({ record_id }) => {
        const answer = await http(httpApiEvent('GET', `/orders/${record_id}`), context);
        return (JSON.parse(answer.body as string) as { status: string }).status;
      }),
    );
    const accepted = outcomes.filter((status) => status === 'accepted').length;
    const rejected = outcomes.filter((status) => status === 'rejected').length;
    expect(accepted + rejected).toBe(orders.length);
    // The run's seed (its id) decides a mix, so both deliveries are exercised.
    expect(accepted).toBeGreaterThan(0);
    expect(rejected).toBeGreaterThan(0);
    const stored = await aws.s3.send(
      new ListObjectsV2Command({ Bucket: physicalName('local', 'orders', 'results') }),
    );
    expect(stored.KeyCount ?? 0).toBe(accepted);
    expect(await delivered(physicalName('local', 'orders', 'notifications'))).toHaveLength(rejected);
  });
});
