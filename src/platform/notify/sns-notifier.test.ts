import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { describe, expect, it } from 'vitest';
import { snsNotifier } from './sns-notifier.js';

const arn = 'arn:aws:sns:eu-west-1:123456789012:skiff-dev-donations-thank-you';

/** SNS has no local engine: a fake client records the exact commands sent. */
function fakeSns() {
  const sent: unknown[] = [];
  const client = {
    send: async (command: unknown) => {
      sent.push(command);
      return { MessageId: 'msg-1' };
    },
  } as unknown as SNSClient;
  return { client, sent };
}

describe('snsNotifier', () => {
  it('sends one PublishCommand to the topic ARN, with typed message attributes', async () => {
    const { client, sent } = fakeSns();
    const notifier = snsNotifier(client, [arn], ['skiff-dev-donations-thank-you']);
    const result = await notifier.publish({
      topic: 'skiff-dev-donations-thank-you',
      subject: 'Thank you',
      message: 'Thank you for your second donation.',
      attributes: { donorId: 'donor-1', donationCount: 2 },
    });
    expect(result).toEqual({ messageId: 'msg-1' });
    expect(sent).toHaveLength(1);
    expect(sent[0]).toBeInstanceOf(PublishCommand);
    expect((sent[0] as PublishCommand).input).toEqual({
      TopicArn: arn,
      Subject: 'Thank you',
      Message: 'Thank you for your second donation.',
      MessageAttributes: {
        donorId: { DataType: 'String', StringValue: 'donor-1' },
        donationCount: { DataType: 'Number', StringValue: '2' },
      },
    });
  });

  it('refuses to start without an ARN for a topic a service publishes to', () => {
    expect(() => snsNotifier(fakeSns().client, [], ['skiff-dev-donations-thank-you'])).toThrow(
      /no ARN for topic\(s\): skiff-dev-donations-thank-you/,
    );
  });
});
