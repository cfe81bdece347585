import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../../local/test-platform.js';
import { keyedDigest } from '../../platform/log.js';

const digestKey = 'test-digest-key';

let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform({ env: { SKIFF_LOG_DIGEST_KEY: digestKey } });
});
afterAll(() => platform.stop());

const donate = (body: object, headers: Record<string, string> = {}) =>
  platform.app.inject({ method: 'POST', url: '/donations', payload: body, headers });
const thankYous = (donorId: string) => platform.inbox.list().filter((n) => n.attributes.donorId === donorId);

describe('POST /donations', () => {
  it('records a donation with 201, counting it, GBP by default', async () => {
    const response = await donate({ donorId: 'ann', amount: 1500 });
    expect(response.statusCode).toBe(201);
    expect(response.json()).toEqual({
      donationId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      donorId: 'ann',
      amount: 1500,
      currency: 'GBP',
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      donationCount: 1,
      thankYouSent: false,
    });
  });

  it('sends exactly one thank-you, at the second donation, with the attributes and e-mail', async () => {
    await donate({ donorId: 'bea', amount: 500, email: 'Bea@Example.org' });
    const second = (await donate({ donorId: 'bea', amount: 700, currency: 'EUR' })).json();
    expect(second).toMatchObject({ donationCount: 2, thankYouSent: true });
    const third = (await donate({ donorId: 'bea', amount: 100 })).json();
    expect(third).toMatchObject({ donationCount: 3, thankYouSent: false });
    expect(thankYous('bea')).toEqual([
      expect.objectContaining({
        topic: 'skiff-local-donations-thank-you',
        subject: 'Thank you for your generosity',
        attributes: { donorId: 'bea', donationCount: 2, email: 'bea@example.org' },
      }),
    ]);
  });

  it.each([
    ['a missing donorId', { amount: 100 }, 'body.donorId'],
    ['a donorId with spaces', { donorId: 'a b', amount: 100 }, 'body.donorId'],
    ['a donorId too long', { donorId: 'x'.repeat(129), amount: 100 }, 'body.donorId'],
    ['a zero amount', { donorId: 'cal', amount: 0 }, 'body.amount'],
    ['a negative amount', { donorId: 'cal', amount: -5 }, 'body.amount'],
    ['a fractional amount', { donorId: 'cal', amount: 10.5 }, 'body.amount'],
    ['an amount too large', { donorId: 'cal', amount: 100_000_001 }, 'body.amount'],
    ['an amount as text', { donorId: 'cal', amount: '100' }, 'body.amount'],
    ['a lower-case currency', { donorId: 'cal', amount: 100, currency: 'gbp' }, 'body.currency'],
    ['an unknown currency', { donorId: 'cal', amount: 100, currency: 'XYZ' }, 'body.currency'],
    ['a bad e-mail', { donorId: 'cal', amount: 100, email: 'not-an-email' }, 'body.email'],
    ['an unknown field', { donorId: 'cal', amount: 100, note: 'hi' }, 'body.note'],
  ])('refuses %s with a 400 naming %s, recording nothing', async (_case, body, field) => {
    const response = await donate(body);
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json().errors.map((e: { field: string }) => e.field)).toContain(field);
    expect((await platform.app.inject({ method: 'GET', url: '/donors/cal' })).statusCode).toBe(404);
  });

  it('refuses an Idempotency-Key that is too long', async () => {
    const response = await donate({ donorId: 'cal', amount: 100 }, { 'idempotency-key': 'k'.repeat(256) });
    expect(response.statusCode).toBe(400);
    expect(response.json().errors[0].field).toBe('headers.idempotency-key');
  });
});

describe('GET /donors/{donorId}', () => {
  it('answers count, totals per currency, dates and thank-you status', async () => {
    await donate({ donorId: 'dev', amount: 1000 });
    expect((await platform.app.inject({ method: 'GET', url: '/donors/dev' })).json()).toEqual({
      donorId: 'dev',
      donationCount: 1,
      totals: { GBP: 1000 },
      firstDonationAt: expect.any(String),
      lastDonationAt: expect.any(String),
      thankYou: { status: 'none' },
    });
    await donate({ donorId: 'dev', amount: 500 });
    await donate({ donorId: 'dev', amount: 250, currency: 'USD' });
    const donor = (await platform.app.inject({ method: 'GET', url: '/donors/dev' })).json();
    expect(donor).toMatchObject({ donationCount: 3, totals: { GBP: 1500, USD: 250 } });
    expect(donor.thankYou).toEqual({ status: 'sent', sentAt: expect.any(String) });
  });

  it('answers 404 for an unknown donor and 400 for a bad id', async () => {
    expect((await platform.app.inject({ method: 'GET', url: '/donors/nobody' })).statusCode).toBe(404);
    expect((await platform.app.inject({ method: 'GET', url: '/donors/no%20body' })).statusCode).toBe(400);
  });
});

describe('GET /donors/{donorId}/donations', () => {
  it('pages through donations newest first', async () => {
    for (const amount of [1, 2, 3, 4, 5]) await donate({ donorId: 'eve', amount });
    const first = (await platform.app.inject({ method: 'GET', url: '/donors/eve/donations?limit=2' })).json();
    expect(first.items.map((d: { amount: number }) => d.amount)).toEqual([5, 4]);
    const second = (
      await platform.app.inject({
        method: 'GET',
        url: `/donors/eve/donations?limit=2&cursor=${first.nextCursor}`,
      })
    ).json();
    expect(second.items.map((d: { amount: number }) => d.amount)).toEqual([3, 2]);
    const last = (
      await platform.app.inject({
        method: 'GET',
        url: `/donors/eve/donations?limit=2&cursor=${second.nextCursor}`,
      })
    ).json();
    expect(last).toEqual({
      items: [expect.objectContaining({ amount: 1, donationCount: 1 })],
      nextCursor: null,
    });
  });

  it('refuses a forged cursor and a bad limit with 400, and an unknown donor with 404', async () => {
    const forged = await platform.app.inject({ method: 'GET', url: '/donors/eve/donations?cursor=abc' });
    expect(forged.statusCode).toBe(400);
    expect(forged.json().errors[0].field).toBe('querystring.cursor');
    expect(
      (await platform.app.inject({ method: 'GET', url: '/donors/eve/donations?limit=0' })).statusCode,
    ).toBe(400);
    expect((await platform.app.inject({ method: 'GET', url: '/donors/zed/donations' })).statusCode).toBe(404);
  });
});

describe('idempotency', () => {
  it('replays the first response for a repeat with the same key and body', async () => {
    const headers = { 'idempotency-key': 'order-1' };
    const first = await donate({ donorId: 'fay', amount: 900 }, headers);
    const again = await donate({ donorId: 'fay', amount: 900, currency: 'GBP' }, headers);
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json()).toEqual(first.json());
    expect((await platform.app.inject({ method: 'GET', url: '/donors/fay' })).json().donationCount).toBe(1);
  });

  it('refuses the same key with a different body with 422, recording nothing', async () => {
    const headers = { 'idempotency-key': 'order-2' };
    await donate({ donorId: 'gus', amount: 900 }, headers);
    const other = await donate({ donorId: 'gus', amount: 901 }, headers);
    expect(other.statusCode).toBe(422);
    expect(other.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect((await platform.app.inject({ method: 'GET', url: '/donors/gus' })).json().donationCount).toBe(1);
  });

  it('gives one donation for 20 parallel retries with one key, all answered alike', async () => {
    const headers = { 'idempotency-key': 'parallel-key' };
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => donate({ donorId: 'hal', amount: 2500 }, headers)),
    );
    expect(responses.map((r) => r.statusCode)).toEqual(Array(20).fill(201));
    const bodies = new Set(responses.map((r) => r.body));
    expect(bodies.size).toBe(1);
    const donor = (await platform.app.inject({ method: 'GET', url: '/donors/hal' })).json();
    expect(donor).toMatchObject({ donationCount: 1, totals: { GBP: 2500 } });
  });
});

describe('concurrency', () => {
  it('counts 50 parallel donations from one donor exactly and sends one thank-you', async () => {
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, i) => donate({ donorId: 'ivy', amount: i + 1 })),
    );
    expect(responses.every((r) => r.statusCode === 201)).toBe(true);
    const counts = responses.map((r) => r.json().donationCount).sort((a, b) => a - b);
    expect(counts).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(responses.filter((r) => r.json().thankYouSent)).toHaveLength(1);
    const donor = (await platform.app.inject({ method: 'GET', url: '/donors/ivy' })).json();
    expect(donor).toMatchObject({
      donationCount: 50,
      totals: { GBP: (50 * 51) / 2 },
      thankYou: { status: 'sent' },
    });
    expect(thankYous('ivy')).toHaveLength(1);
  });
});

describe('logs', () => {
  it('writes one JSON line per donation and per thank-you, never the e-mail nor the donor id', async () => {
    const donorId = 'jo.donor@example.org';
    await donate({ donorId, amount: 300, email: 'jo.private@example.org' });
    await donate({ donorId, amount: 400 });
    expect(platform.rawLogs()).not.toContain(donorId);
    expect(platform.rawLogs()).not.toContain('jo.private');
    const lines = platform.logs().filter((line) => line.donor === keyedDigest(digestKey)(donorId));
    expect(lines.filter((line) => line.event === 'donation')).toEqual([
      expect.objectContaining({ service: 'donations', amount: 300, currency: 'GBP', donationCount: 1 }),
      expect.objectContaining({ service: 'donations', amount: 400, currency: 'GBP', donationCount: 2 }),
    ]);
    expect(
      lines.filter((line) => line.event === 'donation').every((line) => line.requestId && line.donationId),
    ).toBe(true);
    const thanks = lines.filter((line) => line.event === 'thank-you');
    expect(thanks).toEqual([
      expect.objectContaining({ msg: 'thank-you published', donationCount: 2, attempt: 1 }),
    ]);
    const secondDonation = lines.find((line) => line.event === 'donation' && line.donationCount === 2);
    expect(thanks[0]?.requestId).toBe(secondDonation?.requestId);
    expect(platform.rawLogs()).not.toContain('jo.private');
  });
});
