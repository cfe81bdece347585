import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from './test-platform.js';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform({ env: { SERVICES: 'orders' } });
});
afterAll(() => platform.stop());

const bucket = 'skiff-local-orders-results';
const put = (Key: string) => platform.aws.s3.send(new PutObjectCommand({ Bucket: bucket, Key, Body: 'x' }));

describe('the embedded S3 and keys it cannot store', () => {
  it.each([
    ['a segment longer than a file name', `a/${'b'.repeat(300)}`],
    ['a key over 1,024 bytes', Array.from({ length: 6 }, () => 'c'.repeat(200)).join('/')],
    ['multi-byte characters past the limit', `d/${'😀'.repeat(70)}`],
  ])('answers %s with KeyTooLongError, as S3 does, and keeps serving', async (kind, key) => {
    await expect(put(key)).rejects.toMatchObject({
      name: 'KeyTooLongError',
      $metadata: { httpStatusCode: 400 },
    });
    // A key of its own per case: s3rver's overwrite of a key is not atomic (a read racing it can
    // see the file emptied), which is not what this checks.
    const after = `still/here-${kind.length}.json`;
    await put(after);
    const object = await platform.aws.s3.send(new GetObjectCommand({ Bucket: bucket, Key: after }));
    expect(await object.Body?.transformToString()).toBe('x');
  });

  it('stores a key just within the limits', async () => {
    const key = `e/${'f'.repeat(233)}`;
    await put(key);
    const object = await platform.aws.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    expect(await object.Body?.transformToString()).toBe('x');
  });
});
