import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../../local/test-platform.js';
import type { Notification } from '../../platform/notify/notifier.js';

/** A notifier that fails while `down` is set, then lets messages through to the inbox. */
let down = true;
let attempts: Notification[] = [];
let platform: TestPlatform;

beforeAll(async () => {
  platform = await startTestPlatform({
    // The sweep is driven by the test, not a timer.
    env: { SKIFF_THANK_YOU_SWEEP_MS: '0' },
    notifier: (inbox) => ({
      async publish(notification) {
        attempts.push(notification);
        if (down) throw Object.assign(new Error('SNS unavailable'), { name: 'ServiceUnavailable' });
        return inbox.publish(notification);
      },
    }),
  });
});
afterAll(() => platform.stop());

const donate = (donorId: string, amount: number) =>
  platform.app.inject({ method: 'POST', url: '/donations', payload: { donorId, amount } });
const status = async (donorId: string) =>
  (await platform.app.inject({ method: 'GET', url: `/donors/${donorId}` })).json().thankYou;
const sweep = () => platform.runTask('donations', 'thank-you-sweep');

describe('a thank-you whose publish fails', () => {
  it('stays pending, is retried by the sweep, and is sent exactly once when SNS recovers', async () => {
    await donate('kit', 100);
    const second = (await donate('kit', 200)).json();
    expect(second).toMatchObject({ donationCount: 2, thankYouSent: false });
    expect(await status('kit')).toEqual({ status: 'pending' });
    expect(attempts).toHaveLength(1);

    await sweep();
    expect(attempts).toHaveLength(2);
    expect(await status('kit')).toEqual({ status: 'pending' });

    down = false;
    await Promise.all([sweep(), sweep(), sweep()]);
    expect(await status('kit')).toEqual({ status: 'sent', sentAt: expect.any(String) });
    expect(platform.inbox.list().filter((n) => n.attributes.donorId === 'kit')).toHaveLength(1);

    attempts = [];
    await sweep();
    await donate('kit', 300);
    expect(attempts).toHaveLength(0);
  });

  it('reports the thank-yous still pending after each sweep as an EMF metric', () => {
    const metrics = platform.logs().filter((line) => line._aws && 'ThankYousPending' in line);
    expect(metrics.map((line) => line.ThankYousPending)).toEqual([1, 0, 0, 0, 0]);
    expect(metrics[0]?._aws).toEqual({
      Timestamp: expect.any(Number),
      CloudWatchMetrics: [
        {
          Namespace: 'skiff',
          Dimensions: [['service']],
          Metrics: [{ Name: 'ThankYousPending', Unit: 'Count' }],
        },
      ],
    });
  });

  it('logs each failed attempt and the publish that finally worked', () => {
    const lines = platform.logs().filter((line) => line.event === 'thank-you' && line.donorId === 'kit');
    expect(lines.map((line) => [line.msg, line.attempt, line.trigger])).toEqual([
      ['thank-you publish failed; will retry', 1, 'donation'],
      ['thank-you publish failed; will retry', 2, 'sweep'],
      ['thank-you published', 3, 'sweep'],
    ]);
  });
});
