import { NoSuchBucket, S3ServiceException } from '@aws-sdk/client-s3';
import { InternalErrorException, ThrottledException } from '@aws-sdk/client-sns';
import { describe, expect, it } from 'vitest';
import { isTransient } from './transient-error.js';
import { untilProcessed } from './unprocessed.js';

const metadata = (httpStatusCode: number) => ({ $metadata: { httpStatusCode } });

describe('isTransient', () => {
  it('counts throttling, 5xx, timeouts and dropped connections as passing', () => {
    expect(isTransient(new ThrottledException({ message: 'slow down', ...metadata(429) }))).toBe(true);
    expect(isTransient(new InternalErrorException({ message: 'oops', ...metadata(500) }))).toBe(true);
    const slowDown = new S3ServiceException({ name: 'SlowDown', $fault: 'server', ...metadata(503) });
    expect(isTransient(slowDown)).toBe(true);
    expect(isTransient(Object.assign(new Error('socket'), { code: 'ECONNRESET' }))).toBe(true);
    expect(isTransient(Object.assign(new Error('late'), { name: 'TimeoutError' }))).toBe(true);
  });

  it('counts a batch DynamoDB still hands back after every retry as passing', async () => {
    const stillThrottled = untilProcessed(['item'], async (pending) => pending, {
      maxRetries: 2,
      backoffMs: 1,
      what: 'BatchWriteItem',
    });
    const error = await stillThrottled.catch((e: unknown) => e);
    expect(error).toMatchObject({ message: 'BatchWriteItem left 1 unprocessed after 2 retries' });
    expect(isTransient(error)).toBe(true);
  });

  it('does not count a missing bucket, a denied call or a non-error', () => {
    expect(isTransient(new NoSuchBucket({ message: 'gone', ...metadata(404) }))).toBe(false);
    const denied = new S3ServiceException({ name: 'AccessDenied', $fault: 'client', ...metadata(403) });
    expect(isTransient(denied)).toBe(false);
    expect(isTransient('ThrottlingException')).toBe(false);
  });
});
