import { setTimeout as sleep } from 'node:timers/promises';
import { PutBucketNotificationConfigurationCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SetQueueAttributesCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Logger } from 'pino';
import { faultFields } from '../platform/aws/transient-error.js';
import {
  failedS3EventFields,
  handleS3EventMessage,
  maxS3EventReceives,
} from '../platform/s3-event-messages.js';
import type { ObjectCreatedHandler } from '../platform/service.js';

/**
 * S3 object-created events from an external S3 (LocalStack, moto) under `npm start`, the way AWS
 * delivers them: S3 → SQS → consumer. The embedded S3 emits its events in-process instead.
 */
export interface S3QueueEventsOptions {
  sqs: SQSClient;
  s3: S3Client;
  bucket: string;
  /** The queue, created if missing, reused otherwise. */
  queueName: string;
  /** Only keys under this prefix are notified (the catalog's `eventPrefix`). */
  prefix?: string;
  handle: ObjectCreatedHandler;
  /** Carries ids only: messages name files, which are personal data, so no key is ever logged. */
  log: Logger;
  /** Long-poll wait of each ReceiveMessage, in seconds (SQS allows 0 to 20). */
  waitTimeSeconds?: number;
  /** How long a received message stays hidden: a failed one comes back after it. */
  visibilityTimeoutSeconds?: number;
  /** Receives after which a message that keeps failing is dropped, as a dead-letter queue would take it. */
  maxReceives?: number;
  /** First pause after an SQS error; it doubles while errors last, up to 30 s. */
  retryDelayMs?: number;
}

export interface S3QueueEvents {
  /** Aborts the long poll in flight, waits for the handler in progress, and stops receiving. */
  stop(): Promise<void>;
}

/** Lets S3 send to the queue; LocalStack and moto ignore it, AWS would need it. */
function queuePolicy(queueArn: string, bucket: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'S3ObjectCreated',
        Effect: 'Allow',
        Principal: { Service: 's3.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: queueArn,
        Condition: { ArnLike: { 'aws:SourceArn': `arn:aws:s3:::${bucket}` } },
      },
    ],
  });
}

/**
 * Creates the queue (or finds it: CreateQueue without attributes answers an existing queue's URL),
 * sets its policy and visibility timeout, and points the bucket's notifications at it. The bucket's
 * notification configuration is replaced as a whole: the bucket belongs to the catalog.
 */
async function wireBucketToQueue(
  { sqs, s3, bucket, queueName, prefix, visibilityTimeoutSeconds = 60 }: S3QueueEventsOptions,
  abortSignal: AbortSignal,
): Promise<string> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: queueName }), { abortSignal });
  if (!QueueUrl) throw new Error('CreateQueue answered no queue URL');
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
    { abortSignal },
  );
  const queueArn = Attributes?.QueueArn;
  if (!queueArn) throw new Error('GetQueueAttributes answered no queue ARN');
  await sqs.send(
    new SetQueueAttributesCommand({
      QueueUrl,
      Attributes: {
        Policy: queuePolicy(queueArn, bucket),
        VisibilityTimeout: String(visibilityTimeoutSeconds),
      },
    }),
    { abortSignal },
  );
  await s3.send(
    new PutBucketNotificationConfigurationCommand({
      Bucket: bucket,
      NotificationConfiguration: {
        QueueConfigurations: [
          {
            Id: queueName,
            QueueArn: queueArn,
            Events: ['s3:ObjectCreated:*'],
            ...(prefix && { Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: prefix }] } } }),
          },
        ],
      },
    }),
    { abortSignal },
  );
  return QueueUrl;
}

/**
 * Wires the bucket to its queue (once at start; if that fails, again from the loop), then receives
 * with long polling, one batch at a time and one message after the other, like Lambda's event source.
 * A message is deleted only once its handling succeeded; a failed one stays for redelivery after the
 * visibility timeout. SQS errors are logged and retried with a growing pause, never thrown.
 */
export async function startS3QueueEvents(options: S3QueueEventsOptions): Promise<S3QueueEvents> {
  const {
    sqs,
    queueName,
    handle,
    log,
    waitTimeSeconds = 20,
    maxReceives = maxS3EventReceives,
    retryDelayMs = 1000,
  } = options;
  const stopping = new AbortController();
  const { signal } = stopping;
  const queueLog = log.child({ queue: queueName });

  let queueUrl: string | undefined;
  try {
    queueUrl = await wireBucketToQueue(options, signal);
    queueLog.info({ prefix: options.prefix }, 'S3 events arrive through SQS');
  } catch (error) {
    queueLog.warn(faultFields(error), 'S3 events not wired to SQS yet; trying again');
  }

  const settle = async (url: string, message: Message) => {
    try {
      await handleS3EventMessage(message.Body ?? '', handle);
    } catch (error) {
      const receives = Number(message.Attributes?.ApproximateReceiveCount ?? 1);
      const fields = failedS3EventFields(message.MessageId, receives, error);
      if (receives < maxReceives) {
        queueLog.warn(fields, 'S3 event failed; SQS delivers it again');
        return;
      }
      queueLog.error(fields, 'S3 event failed too often; dropped');
    }
    // Not aborted by stop: a message handled is a message to delete.
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: message.ReceiptHandle }));
  };

  const receive = async (url: string) => {
    // The SDK has no request deadline of its own: a poll gets its wait and ten seconds.
    const deadline = AbortSignal.timeout((waitTimeSeconds + 10) * 1000);
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: waitTimeSeconds,
        MessageSystemAttributeNames: ['ApproximateReceiveCount'],
      }),
      { abortSignal: AbortSignal.any([signal, deadline]) },
    );
    for (const message of Messages) {
      // Once stopping, the rest of the batch stays in the queue for the next start.
      if (signal.aborted) return;
      await settle(url, message).catch((error: unknown) =>
        queueLog.warn({ messageId: message.MessageId, ...faultFields(error) }, 'S3 event not deleted'),
      );
    }
  };

  const loop = (async () => {
    let pause = retryDelayMs;
    while (!signal.aborted) {
      try {
        if (!queueUrl) {
          queueUrl = await wireBucketToQueue(options, signal);
          queueLog.info({ prefix: options.prefix }, 'S3 events arrive through SQS');
        }
        await receive(queueUrl);
        pause = retryDelayMs;
      } catch (error) {
        if (signal.aborted) break;
        queueLog.error({ ...faultFields(error), retryInMs: pause }, 'S3 event queue unavailable');
        await sleep(pause, undefined, { signal }).catch(() => {});
        pause = Math.min(pause * 2, 30_000);
      }
    }
  })();

  return {
    stop: async () => {
      stopping.abort();
      await loop;
    },
  };
}
