import { describe, expect, it } from 'vitest';
import {
  donorIdPattern,
  earnsThankYou,
  isCurrencyCode,
  normaliseDonation,
  requestFingerprint,
  thankYouMessage,
} from './domain.js';

describe('donor ids', () => {
  const valid = new RegExp(donorIdPattern);
  it.each(['a', 'donor-42', 'ann.smith@example.org', 'a+b_c', 'x'.repeat(128)])('accepts %s', (id) => {
    expect(valid.test(id)).toBe(true);
  });
  it.each(['', 'a b', 'a/b', 'x'.repeat(129), 'é', 'a#b'])('refuses %j', (id) => {
    expect(valid.test(id)).toBe(false);
  });
});

describe('currencies', () => {
  it.each(['GBP', 'EUR', 'USD', 'JPY'])('knows %s', (code) => expect(isCurrencyCode(code)).toBe(true));
  it.each(['XYZ', 'gbp', 'GB', ''])('refuses %j', (code) => expect(isCurrencyCode(code)).toBe(false));
});

describe('normaliseDonation', () => {
  it('defaults the currency to GBP and lower-cases the e-mail', () => {
    expect(normaliseDonation({ donorId: 'a', amount: 1, email: 'A@B.org' })).toEqual({
      donorId: 'a',
      amount: 1,
      currency: 'GBP',
      email: 'a@b.org',
    });
  });
});

describe('requestFingerprint', () => {
  const base = normaliseDonation({ donorId: 'a', amount: 100 });
  it('is the same for the same request, however the currency was given', () => {
    expect(requestFingerprint(base)).toBe(
      requestFingerprint(normaliseDonation({ donorId: 'a', amount: 100, currency: 'GBP' })),
    );
  });
  it('differs when any field differs', () => {
    const variants = [
      { ...base, donorId: 'b' },
      { ...base, amount: 101 },
      { ...base, currency: 'EUR' },
      { ...base, email: 'a@b.org' },
    ];
    const prints = new Set([base, ...variants].map(requestFingerprint));
    expect(prints.size).toBe(5);
  });
});

describe('earnsThankYou', () => {
  it('is true for exactly the donation that reaches the threshold', () => {
    expect([1, 2, 3, 4].map((n) => earnsThankYou(n, 2))).toEqual([false, true, false, false]);
    expect([1, 2, 3].map((n) => earnsThankYou(n, 1))).toEqual([true, false, false]);
  });
});

describe('thankYouMessage', () => {
  it('names the donation count and carries no personal data', () => {
    const { subject, message } = thankYouMessage(2);
    expect(subject).toBe('Thank you for your generosity');
    expect(message).toContain('2 donations');
  });
});
