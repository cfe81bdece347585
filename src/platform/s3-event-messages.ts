/**
 * S3 event notifications carried by SQS messages, turned into object-created handler calls. One
 * reading for every consumer: the Lambda event source on AWS and the local consumer under `npm start`
 * against LocalStack or moto. Keys come decoded, as the embedded S3's in-process events give them.
 */
import { faultFields } from './aws/transient-error.js';
import type { CreatedObject, HandleOptions, ObjectCreatedHandler } from './service.js';

/** An SQS message as Lambda's event source hands it over. */
export interface S3EventMessage {
  messageId: string;
  body: string;
  attributes?: { ApproximateReceiveCount?: string };
}

/**
 * Receives of one message before SQS moves it to the dead-letter queue: the records stack's redrive,
 * and the local consumer's limit before it drops one.
 */
export const maxS3EventReceives = 5;

/** A failed message's log fields: its id, how often SQS has delivered it and the fault; never its key. */
export const failedS3EventFields = (messageId: string | undefined, receives: number, error: unknown) => ({
  messageId,
  receives,
  ...faultFields(error),
});

type FailedS3Event = ReturnType<typeof failedS3EventFields>;

/** Where a failed message is reported: the part of a pino logger used. */
export interface BatchLog {
  warn(fields: FailedS3Event, message: string): void;
  error(fields: FailedS3Event, message: string): void;
}

export interface BatchResult {
  batchItemFailures: { itemIdentifier: string }[];
}

export class MalformedS3EventMessage extends Error {
  constructor(reason: string) {
    super(`not an S3 event notification: ${reason}`);
    this.name = 'MalformedS3EventMessage';
  }
}

/** S3 URL-encodes keys in event notifications, with `+` for a space (and `%2B` for a plus). */
export function decodeS3Key(key: string): string {
  try {
    return decodeURIComponent(key.replace(/\+/g, ' '));
  } catch {
    throw new MalformedS3EventMessage('a key is not URL-encoded');
  }
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The objects an S3 notification says were created, in its order. S3's `s3:TestEvent` (sent when a
 * notification configuration is put) and other events (removals, restores) name none. Anything that
 * is not an S3 notification throws, so that message alone fails.
 */
export function createdObjectsOf(body: string): CreatedObject[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new MalformedS3EventMessage('the body is not JSON');
  }
  if (!isObject(parsed)) throw new MalformedS3EventMessage('the body is not an object');
  if (parsed.Event === 's3:TestEvent') return [];
  if (!Array.isArray(parsed.Records)) throw new MalformedS3EventMessage('the body has no Records');
  const created: CreatedObject[] = [];
  for (const record of parsed.Records as unknown[]) {
    if (!isObject(record) || typeof record.eventName !== 'string') {
      throw new MalformedS3EventMessage('a record has no eventName');
    }
    if (!record.eventName.startsWith('ObjectCreated:')) continue;
    const object = isObject(record.s3) && isObject(record.s3.object) ? record.s3.object : undefined;
    if (typeof object?.key !== 'string') throw new MalformedS3EventMessage('a record has no object key');
    const eTag = typeof object.eTag === 'string' ? object.eTag.replace(/"/g, '') : undefined;
    created.push({ key: decodeS3Key(object.key), ...(eTag && { eTag }) });
  }
  return created;
}

/** Hands each object created in one message to `handle`, one after the other; throws if any fails. */
export async function handleS3EventMessage(
  body: string,
  handle: ObjectCreatedHandler,
  options?: HandleOptions,
): Promise<void> {
  for (const object of createdObjectsOf(body)) await handle(object, options);
}

/**
 * A batch of messages, one after the other. A message whose body is malformed or whose handling fails
 * is reported as a partial batch failure, so only it is retried (and, after its retries, goes to the
 * dead-letter queue); the others are acknowledged. Each failure is logged as the local consumer logs
 * it (`failedS3EventFields`); never a key, which names a tenant's file.
 */
export async function handleS3EventBatch(
  messages: readonly S3EventMessage[],
  handle: ObjectCreatedHandler,
  log: BatchLog,
  options?: HandleOptions,
): Promise<BatchResult> {
  const batchItemFailures: BatchResult['batchItemFailures'] = [];
  for (const message of messages) {
    // Not started once the invocation is ending: SQS delivers it again, to an invocation with time.
    if (options?.stopBy?.aborted) {
      batchItemFailures.push({ itemIdentifier: message.messageId });
      continue;
    }
    try {
      await handleS3EventMessage(message.body, handle, options);
    } catch (error) {
      const receives = Number(message.attributes?.ApproximateReceiveCount ?? 1);
      const fields = failedS3EventFields(message.messageId, receives, error);
      if (receives < maxS3EventReceives) log.warn(fields, 'S3 event failed; SQS delivers it again');
      else log.error(fields, 'S3 event failed too often; SQS moves it to the dead-letter queue');
      batchItemFailures.push({ itemIdentifier: message.messageId });
    }
  }
  return { batchItemFailures };
}
