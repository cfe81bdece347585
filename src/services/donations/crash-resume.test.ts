import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../../local/test-platform.js';
import { commandOn, withWriteFaults } from '../../local/write-faults.js';
import { normaliseDonation, requestFingerprint } from './domain.js';
import { dynamoIdempotencyStore, keyLeaseMs, keyLifetimeSeconds } from './idempotency-store.js';
import { dynamoLedgerStore } from './ledger-store.js';

/**
 * A request that stops half-way (a crash, a Lambda timeout) leaves its key in progress. A retry after
 * the lease lapses takes the key over and must neither lose the donation nor record it twice.
 */
const table = 'skiff-local-donations-ledger';
let now = new Date('2026-11-21T10:00:00Z');
let platform: TestPlatform;

beforeAll(async () => {
  platform = await startTestPlatform({
    clock: () => now,
    env: { SKIFF_THANK_YOU_SWEEP_MS: '0', SKIFF_IDEMPOTENCY_WAIT_MS: '300' },
  });
});
afterAll(() => platform.stop());

/** Does what a request with `key` does up to a point, then stops as if the process died. */
async function crashedRequest(
  key: string,
  body: { donorId: string; amount: number },
  stopAfterAppend: boolean,
) {
  const keys = dynamoIdempotencyStore(platform.aws.documents, table);
  const ledger = dynamoLedgerStore(platform.aws.documents, table);
  const request = normaliseDonation(body);
  const claim = await keys.claim(key, requestFingerprint(request), 'dead-token', now);
  expect(claim).toEqual({ state: 'started', donationId: 'dead-token' });
  const donation = { ...request, donationId: 'dead-token', createdAt: now.toISOString() };
  if (stopAfterAppend) await ledger.append(donation, (n) => keys.noteAttempt(key, 'dead-token', n));
  else await keys.noteAttempt(key, 'dead-token', 1);
}

const retry = (key: string, body: object) =>
  platform.app.inject({
    method: 'POST',
    url: '/donations',
    payload: body,
    headers: { 'idempotency-key': key },
  });
const donor = async (donorId: string) =>
  (await platform.app.inject({ method: 'GET', url: `/donors/${donorId}` })).json();

describe('a key used again after it expired', () => {
  it('records a new donation with a new id, never the old one again', async () => {
    const body = { donorId: 'reuse', amount: 100 };
    const first = await retry('reused-key', body);
    expect(first.statusCode).toBe(201);
    now = new Date(now.getTime() + keyLifetimeSeconds * 1000 + 1000);
    const second = await retry('reused-key', body);
    expect(second.statusCode).toBe(201);
    expect(second.headers['idempotent-replayed']).toBeUndefined();
    expect(second.json().donationId).not.toBe(first.json().donationId);
    expect(await donor('reuse')).toMatchObject({ donationCount: 2 });
  });
});

describe('crash and resume', () => {
  it('a retry while the first holder may still be running gets 409, and nothing is recorded twice', async () => {
    await crashedRequest('crash-0', { donorId: 'lea', amount: 100 }, true);
    const early = await retry('crash-0', { donorId: 'lea', amount: 100 });
    expect(early.statusCode).toBe(409);
    expect(early.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(await donor('lea')).toMatchObject({ donationCount: 1, totals: { GBP: 100 } });
  });

  it('finishes a donation recorded but not counted or answered, without recording it again', async () => {
    await crashedRequest('crash-1', { donorId: 'max', amount: 700 }, true);
    now = new Date(now.getTime() + keyLeaseMs + 1);
    const response = await retry('crash-1', { donorId: 'max', amount: 700 });
    expect(response.statusCode).toBe(201);
    expect(response.json()).toMatchObject({ donorId: 'max', amount: 700, donationCount: 1 });
    expect(await donor('max')).toMatchObject({ donationCount: 1, totals: { GBP: 700 } });
    const again = await retry('crash-1', { donorId: 'max', amount: 700 });
    expect(again.json()).toEqual(response.json());
  });

  it("records once when the first holder's write lands late, after a retry took the key over", async () => {
    await crashedRequest('crash-late', { donorId: 'pia', amount: 250 }, false);
    now = new Date(now.getTime() + keyLeaseMs + 1);
    const ledger = dynamoLedgerStore(platform.aws.documents, table);
    const send = platform.aws.documents.send.bind(platform.aws.documents);
    let landed = false;
    // The stalled first holder's write of donation 1 lands just before the retry's own write of it.
    const spy = vi.spyOn(platform.aws.documents, 'send').mockImplementation((async (command: {
      input: { Item?: { sk?: string } };
    }) => {
      if (!landed && command.input.Item?.sk?.startsWith('DONATION#')) {
        landed = true;
        const request = normaliseDonation({ donorId: 'pia', amount: 250 });
        await ledger.append({ ...request, donationId: 'dead-token', createdAt: now.toISOString() });
      }
      return send(command as never);
    }) as never);
    try {
      const response = await retry('crash-late', { donorId: 'pia', amount: 250 });
      expect(response.statusCode).toBe(201);
      expect(landed).toBe(true);
      expect(await donor('pia')).toMatchObject({ donationCount: 1, totals: { GBP: 250 } });
    } finally {
      spy.mockRestore();
    }
  });

  /** The first claim write (`Put` creates a key, `Update` takes it over) lands, and is sent again. */
  const withClaimSentTwice = (kind: 'Put' | 'Update', run: () => Promise<void>) =>
    withWriteFaults(platform.aws.documents, [[commandOn(kind, 'IDEMPOTENCY#'), 'lands, then retried']], run);

  it('goes on with a new key whose claim landed though its answer was lost, not waiting on itself', async () => {
    await withClaimSentTwice('Put', async () => {
      const response = await retry('lost-claim', { donorId: 'ivy', amount: 400 });
      expect(response.statusCode).toBe(201);
      expect(response.json()).toMatchObject({ donorId: 'ivy', donationCount: 1 });
    });
    expect(await donor('ivy')).toMatchObject({ donationCount: 1, totals: { GBP: 400 } });
  });

  it('goes on with a key it took over though the answer was lost, recording the donation once', async () => {
    await crashedRequest('lost-takeover', { donorId: 'uma', amount: 600 }, true);
    now = new Date(now.getTime() + keyLeaseMs + 1);
    await withClaimSentTwice('Update', async () => {
      const response = await retry('lost-takeover', { donorId: 'uma', amount: 600 });
      expect(response.statusCode).toBe(201);
      expect(response.json()).toMatchObject({ donationId: 'dead-token', donationCount: 1 });
    });
    expect(await donor('uma')).toMatchObject({ donationCount: 1, totals: { GBP: 600 } });
  });

  it('records a donation whose first attempt stopped before writing it', async () => {
    await crashedRequest('crash-2', { donorId: 'ned', amount: 300 }, false);
    now = new Date(now.getTime() + keyLeaseMs + 1);
    const response = await retry('crash-2', { donorId: 'ned', amount: 300 });
    expect(response.json()).toMatchObject({ donationCount: 1 });
    expect(await donor('ned')).toMatchObject({ donationCount: 1, totals: { GBP: 300 } });
  });

  it('counts a donation that a stopped writer recorded but never counted, on the next read', async () => {
    const ledger = dynamoLedgerStore(platform.aws.documents, table);
    await platform.app.inject({
      method: 'POST',
      url: '/donations',
      payload: { donorId: 'ola', amount: 100 },
    });
    await ledger.append({
      donorId: 'ola',
      amount: 50,
      currency: 'GBP',
      donationId: 'orphan',
      createdAt: now.toISOString(),
    });
    expect(await donor('ola')).toMatchObject({
      donationCount: 2,
      totals: { GBP: 150 },
      thankYou: { status: 'pending' },
    });
    await platform.runTask('donations', 'thank-you-sweep');
    expect((await donor('ola')).thankYou.status).toBe('sent');
  });
});
