import { describe, expect, it, vi } from 'vitest';
import { createdObjectsOf, handleS3EventBatch, handleS3EventMessage } from './s3-event-messages.js';
import type { CreatedObject } from './service.js';

/** An S3 event notification as S3 puts it on SQS (keys URL-encoded, `+` for a space). */
const notification = (...records: { eventName: string; key: string; eTag?: string }[]) =>
  JSON.stringify({
    Records: records.map(({ eventName, key, eTag }) => ({
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      awsRegion: 'eu-west-1',
      eventTime: '2026-11-21T10:00:00.000Z',
      eventName,
      s3: {
        s3SchemaVersion: '1.0',
        configurationId: 'skiff-files-events',
        bucket: { name: 'skiff-local-records-files', arn: 'arn:aws:s3:::skiff-local-records-files' },
        object: { key, size: 100, ...(eTag && { eTag }), sequencer: '0055AED6DCD90281E5' },
      },
    })),
  });
const testEvent = JSON.stringify({
  Service: 'Amazon S3',
  Event: 's3:TestEvent',
  Time: '2026-11-21T10:00:00.000Z',
  Bucket: 'skiff-local-records-files',
  RequestId: '5582815E1AEA5ADF',
  HostId: '8cLeGAmw098X5cv4Zkwcmo8vvZa3eH3eKxsPzbB9wrR+YstdA6Knx4Ip8EXAMPLE',
});

describe('createdObjectsOf', () => {
  it.each([
    ['incoming/acme/visits.csv', 'incoming/acme/visits.csv'],
    ['incoming/acme/daily+drop/visits+1.csv', 'incoming/acme/daily drop/visits 1.csv'],
    ['incoming/acme/a%2Bb.csv', 'incoming/acme/a+b.csv'],
    ['incoming/acme/half%2Fhalf.csv', 'incoming/acme/half/half.csv'],
    ['incoming/acme/%C3%A9t%C3%A9+%E6%97%A5%E6%9C%AC.csv', 'incoming/acme/été 日本.csv'],
    ['incoming/acme/100%25.csv', 'incoming/acme/100%.csv'],
  ])('decodes %s as %s', (encoded, key) => {
    expect(createdObjectsOf(notification({ eventName: 'ObjectCreated:Put', key: encoded }))).toEqual([
      { key },
    ]);
  });

  it('gives the ETag without quotes, as S3 events carry it', () => {
    const body = notification(
      { eventName: 'ObjectCreated:Put', key: 'a.csv', eTag: 'd41d8cd98f00b204e9800998ecf8427e' },
      { eventName: 'ObjectCreated:CompleteMultipartUpload', key: 'b.csv', eTag: '"0cc175b9c0f1b6a8-2"' },
    );
    expect(createdObjectsOf(body)).toEqual([
      { key: 'a.csv', eTag: 'd41d8cd98f00b204e9800998ecf8427e' },
      { key: 'b.csv', eTag: '0cc175b9c0f1b6a8-2' },
    ]);
  });

  it('names no object for the test event S3 sends when notifications are configured', () => {
    expect(createdObjectsOf(testEvent)).toEqual([]);
  });

  it('skips events other than object-created, keeping the order of the rest', () => {
    const body = notification(
      { eventName: 'ObjectRemoved:Delete', key: 'gone.csv' },
      { eventName: 'ObjectCreated:Copy', key: 'first.csv' },
      { eventName: 'ObjectRestore:Completed', key: 'thawed.csv' },
      { eventName: 'ObjectCreated:Post', key: 'second.csv' },
    );
    expect(createdObjectsOf(body)).toEqual([{ key: 'first.csv' }, { key: 'second.csv' }]);
  });

  it.each([
    ['text', 'not json'],
    ['JSON that is not an object', '["Records"]'],
    ['an object without Records', '{"Type":"Notification","Message":"{}"}'],
    ['a record without an event name', '{"Records":[{"s3":{"object":{"key":"a.csv"}}}]}'],
    ['a created record without a key', '{"Records":[{"eventName":"ObjectCreated:Put","s3":{}}]}'],
    ['a key that is not URL-encoded', notification({ eventName: 'ObjectCreated:Put', key: 'bad%E0.csv' })],
  ])('refuses %s, without quoting the body', (_case, body) => {
    expect(() => createdObjectsOf(body)).toThrow(/^not an S3 event notification: [a-zA-Z -]+$/);
  });
});

describe('handleS3EventBatch', () => {
  const message = (messageId: string, body: string) => ({ messageId, body });

  it('hands every created object to the handler in order, and fails only the messages that failed', async () => {
    const handled: CreatedObject[] = [];
    const handle = async (object: CreatedObject) => {
      if (object.key.includes('poison')) throw new Error('handler failed');
      handled.push(object);
    };
    const warn = vi.fn();
    const error = vi.fn();
    const result = await handleS3EventBatch(
      [
        message('m-1', notification({ eventName: 'ObjectCreated:Put', key: 'incoming/acme/one+1.csv' })),
        { ...message('m-2', 'not json'), attributes: { ApproximateReceiveCount: '3' } },
        message('m-3', testEvent),
        {
          ...message(
            'm-4',
            notification({ eventName: 'ObjectCreated:Put', key: 'incoming/acme/poison.csv' }),
          ),
          attributes: { ApproximateReceiveCount: '5' },
        },
        message('m-5', notification({ eventName: 'ObjectRemoved:Delete', key: 'incoming/acme/one.csv' })),
        message('m-6', notification({ eventName: 'ObjectCreated:Put', key: 'incoming/acme/two.csv' })),
      ],
      handle,
      { warn, error },
    );
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-2' }, { itemIdentifier: 'm-4' }] });
    expect(handled).toEqual([{ key: 'incoming/acme/one 1.csv' }, { key: 'incoming/acme/two.csv' }]);
    // One line per failed message: its id, how often SQS has delivered it and the fault's kind; no key.
    expect(warn.mock.calls).toEqual([
      [
        { messageId: 'm-2', receives: 3, fault: 'MalformedS3EventMessage' },
        'S3 event failed; SQS delivers it again',
      ],
    ]);
    // The last receive before the dead-letter queue says so.
    expect(error.mock.calls).toEqual([
      [
        { messageId: 'm-4', receives: 5, fault: 'Error' },
        'S3 event failed too often; SQS moves it to the dead-letter queue',
      ],
    ]);
    expect(JSON.stringify([warn.mock.calls, error.mock.calls])).not.toContain('poison');
  });

  it('acknowledges an empty batch', async () => {
    expect(await handleS3EventBatch([], async () => {}, { warn: vi.fn(), error: vi.fn() })).toEqual({
      batchItemFailures: [],
    });
  });
});

describe('handleS3EventMessage', () => {
  it("waits for each object's handler before the next, and rejects with the handler's error", async () => {
    const order: string[] = [];
    const handle = async ({ key }: CreatedObject) => {
      await new Promise((resolve) => setTimeout(resolve, key === 'slow.csv' ? 20 : 0));
      order.push(key);
      if (key === 'bad.csv') throw new Error('handler failed');
    };
    const body = notification(
      { eventName: 'ObjectCreated:Put', key: 'slow.csv' },
      { eventName: 'ObjectCreated:Put', key: 'fast.csv' },
      { eventName: 'ObjectCreated:Put', key: 'bad.csv' },
    );
    await expect(handleS3EventMessage(body, handle)).rejects.toThrow('handler failed');
    expect(order).toEqual(['slow.csv', 'fast.csv', 'bad.csv']);
  });
});
