import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../../local/test-platform.js';
import {
  type CommandMatch,
  commandOn,
  type SentCommand,
  type WriteFault,
  withWriteFaults,
} from '../../local/write-faults.js';
import { keyedDigest } from '../../platform/log.js';
import type { Notification } from '../../platform/notify/notifier.js';

/** A notifier that fails while `down` is set, then lets messages through to the inbox. */
let down = true;
let attempts: Notification[] = [];
let platform: TestPlatform;

beforeAll(async () => {
  platform = await startTestPlatform({
    // The sweep is driven by the test, not a timer.
    env: { SKIFF_THANK_YOU_SWEEP_MS: '0', SKIFF_LOG_DIGEST_KEY: 'test-digest-key' },
    notifier: (inbox) => ({
      async publish(notification) {
        attempts.push(notification);
        if (down) throw Object.assign(new Error('SNS unavailable'), { name: 'ServiceUnavailable' });
        return inbox.publish(notification);
      },
    }),
  });
  // The sweep at start (the timer is off, the run at start is not) finishes before the test begins.
  await platform.app.ready();
  while (!platform.logs().some((line) => line._aws && 'ThankYousPending' in line)) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
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
    // The first is the sweep at start (SKIFF_THANK_YOU_SWEEP_MS=0 turns off the timer only).
    expect(metrics.map((line) => line.ThankYousPending)).toEqual([0, 1, 0, 0, 0, 0]);
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
    const lines = platform
      .logs()
      .filter((line) => line.event === 'thank-you' && line.donor === keyedDigest('test-digest-key')('kit'));
    expect(lines.map((line) => [line.msg, line.attempt, line.trigger])).toEqual([
      ['thank-you publish failed; will retry', 1, 'donation'],
      ['thank-you publish failed; will retry', 2, 'sweep'],
      ['thank-you published', 3, 'sweep'],
    ]);
  });
});

describe('a thank-you whose publish hangs past its deadline', () => {
  let hung: TestPlatform;
  let hangs = 1;
  let aborted = 0;

  beforeAll(async () => {
    hung = await startTestPlatform({
      // Short SDK timeouts let a short lease pass the config's check: the publish is cut off at 1 s.
      env: {
        SKIFF_THANK_YOU_SWEEP_MS: '0',
        SKIFF_AWS_CONNECT_TIMEOUT_MS: '500',
        SKIFF_AWS_REQUEST_TIMEOUT_MS: '1500',
        SKIFF_THANK_YOU_LEASE_MS: '11000',
      },
      notifier: (inbox) => ({
        publish(notification, options) {
          if (hangs-- <= 0) return inbox.publish(notification, options);
          // Like the SDK: nothing until the signal aborts the call, which then goes nowhere.
          return new Promise((_, reject) =>
            options?.signal?.addEventListener('abort', () => {
              aborted += 1;
              reject(options.signal?.reason);
            }),
          );
        },
      }),
    });
  });
  afterAll(() => hung.stop());

  it('is cut off well within the lease, given back, and sent exactly once by the sweep', async () => {
    const donate = (amount: number) =>
      hung.app.inject({ method: 'POST', url: '/donations', payload: { donorId: 'hang', amount } });
    await donate(100);
    const started = performance.now();
    const second = await donate(200);
    expect(performance.now() - started).toBeLessThan(11_000);
    expect(second.json()).toMatchObject({ donationCount: 2, thankYouSent: false });
    expect(aborted).toBe(1);
    await hung.runTask('donations', 'thank-you-sweep');
    await Promise.all([
      hung.runTask('donations', 'thank-you-sweep'),
      hung.runTask('donations', 'thank-you-sweep'),
    ]);
    expect(hung.inbox.list().filter((n) => n.attributes.donorId === 'hang')).toHaveLength(1);
    const failed = hung.logs().find((line) => line.msg === 'thank-you publish failed; will retry');
    expect(failed).toMatchObject({ reason: 'TimeoutError' });
  });
});

describe('a ledger fault around a thank-you', () => {
  const internal = () => Object.assign(new Error('internal'), { name: 'InternalServerError' });
  const claims = (input: { UpdateExpression?: string }) =>
    !!input.UpdateExpression?.includes('leaseToken = :token');
  const marks = (input: { UpdateExpression?: string }) => !!input.UpdateExpression?.includes('= :sent');
  const releases = (input: { UpdateExpression?: string }) =>
    !!input.UpdateExpression?.includes('thankYouLastError');
  /** Makes the ledger's updates of `donor` that `picks` fail as DynamoDB would after the SDK's retries. */
  const failUpdates = (
    donor: string,
    picks: (input: { UpdateExpression?: string }) => boolean,
    fault: () => Error = internal,
  ) => {
    const send = platform.aws.documents.send.bind(platform.aws.documents);
    return vi.spyOn(platform.aws.documents, 'send').mockImplementation((async (command: {
      input: { Key?: { pk?: string }; UpdateExpression?: string };
    }) => {
      if (command.input.Key?.pk === `DONOR#${donor}` && picks(command.input)) throw fault();
      return send(command as never);
    }) as never);
  };
  const inboxFor = (donor: string) => platform.inbox.list().filter((n) => n.attributes.donorId === donor);
  const errorLine = (donor: string, msg: string) =>
    platform.logs().find((line) => line.msg === msg && line.donor === keyedDigest('test-digest-key')(donor));

  it('lets a sweep go on with the other donors, counts that one as left, and sends it next time', async () => {
    down = true;
    await Promise.all([donate('ann', 1), donate('bob', 1)]);
    await Promise.all([donate('ann', 2), donate('bob', 2)]);
    down = false;
    const spy = failUpdates('ann', claims);
    try {
      await sweep();
      expect(await status('bob')).toEqual({ status: 'sent', sentAt: expect.any(String) });
      expect(await status('ann')).toEqual({ status: 'pending' });
      const metrics = platform.logs().filter((line) => line._aws && 'ThankYousPending' in line);
      expect(metrics.at(-1)?.ThankYousPending).toBe(1);
      expect(
        errorLine('ann', 'thank-you not tried: the ledger failed; the sweep will try again'),
      ).toMatchObject({
        level: 'error',
        fault: 'InternalServerError',
      });
    } finally {
      spy.mockRestore();
    }
    await sweep();
    expect(await status('ann')).toEqual({ status: 'sent', sentAt: expect.any(String) });
    expect([...inboxFor('ann'), ...inboxFor('bob')]).toHaveLength(2);
  });

  it('answers the donation that earned it 201 when the claim fails, and the sweep sends it once', async () => {
    await donate('cy', 1);
    const spy = failUpdates('cy', claims);
    try {
      const second = await donate('cy', 2);
      expect(second.statusCode).toBe(201);
      expect(second.json()).toMatchObject({ donationCount: 2, thankYouSent: false });
    } finally {
      spy.mockRestore();
    }
    expect(await status('cy')).toEqual({ status: 'pending' });
    await Promise.all([sweep(), sweep()]);
    expect(inboxFor('cy')).toHaveLength(1);
  });

  it('logs a claim stopped by an error of ours as such, not as a ledger fault, and the sweep sends it', async () => {
    await donate('fay', 1);
    // What the SDK throws when it cannot marshal an item: a plain TypeError, no AWS metadata.
    const spy = failUpdates('fay', claims, () => new TypeError('Cannot read properties of undefined'));
    try {
      expect((await donate('fay', 2)).json()).toMatchObject({ donationCount: 2, thankYouSent: false });
    } finally {
      spy.mockRestore();
    }
    expect(errorLine('fay', 'thank-you not tried: an error of ours; the sweep will try again')).toMatchObject(
      {
        level: 'error',
        fault: 'TypeError',
      },
    );
    expect(
      errorLine('fay', 'thank-you not tried: the ledger failed; the sweep will try again'),
    ).toBeUndefined();
    await sweep();
    expect(inboxFor('fay')).toHaveLength(1);
  });

  it('never gives back a thank-you SNS took when its sent write fails, so no sweep sends it again', async () => {
    await donate('di', 1);
    const spy = failUpdates('di', marks);
    try {
      expect((await donate('di', 2)).json()).toMatchObject({ thankYouSent: true });
    } finally {
      spy.mockRestore();
    }
    expect(errorLine('di', 'thank-you published, but not recorded as sent')).toMatchObject({
      level: 'error',
      fault: 'InternalServerError',
      messageId: expect.any(String),
    });
    // Still the publisher's under its lease, not pending: a sweep leaves it alone.
    await sweep();
    expect(inboxFor('di')).toHaveLength(1);
  });

  it('sends at once when its claim and its sent mark landed and the SDK sent each again', async () => {
    down = false;
    await donate('gil', 1);
    const onGil = (picks: typeof claims) => (command: SentCommand) =>
      commandOn('Update', 'DONOR#gil')(command) && picks(command.input);
    const rules: [CommandMatch, WriteFault][] = [
      [onGil(claims), 'lands, then retried'],
      [onGil(marks), 'lands, then retried'],
    ];
    await withWriteFaults(platform.aws.documents, rules, async () => {
      expect((await donate('gil', 2)).json()).toMatchObject({ donationCount: 2, thankYouSent: true });
    });
    expect(await status('gil')).toEqual({ status: 'sent', sentAt: expect.any(String) });
    expect(inboxFor('gil')).toHaveLength(1);
    expect(errorLine('gil', 'thank-you published after its lease lapsed')).toBeUndefined();
  });

  it('logs a give-back the ledger refuses after a failed publish, as such, and still answers 201', async () => {
    await donate('ed', 1);
    down = true;
    const spy = failUpdates('ed', releases);
    try {
      expect((await donate('ed', 2)).json()).toMatchObject({ donationCount: 2, thankYouSent: false });
    } finally {
      spy.mockRestore();
      down = false;
    }
    expect(
      errorLine('ed', 'thank-you not given back: a sweep retries it once its lease lapses'),
    ).toMatchObject({
      level: 'error',
      fault: 'InternalServerError',
    });
    expect(
      errorLine('ed', 'thank-you not tried: the ledger failed; the sweep will try again'),
    ).toBeUndefined();
  });
});
