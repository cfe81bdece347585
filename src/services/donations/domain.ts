/**
 * Donation rules, pure: no I/O, no AWS, no Fastify.
 *
 * Amounts are integers in minor units (pence), so totals are exact. A donor's donations are numbered
 * 1, 2, 3, ... in the order they were recorded; the donation numbered `threshold` is the one that
 * earns the donor's single special thank-you.
 */
import { createHash } from 'node:crypto';

export const donorIdPattern = '^[A-Za-z0-9._@+-]{1,128}$';
export const maxAmountMinorUnits = 100_000_000;
export const defaultCurrency = 'GBP';
export const idempotencyKeyPattern = '^[\\x21-\\x7E]{1,255}$';

const isoCurrencies = new Set(Intl.supportedValuesOf('currency'));

/** ISO 4217 codes in circulation, as the runtime's ICU data knows them (GBP yes, XXX no). */
export function isCurrencyCode(code: string): boolean {
  return isoCurrencies.has(code);
}

export interface DonationRequest {
  donorId: string;
  amount: number;
  currency: string;
  email?: string;
}

export interface Donation extends DonationRequest {
  donationId: string;
  createdAt: string;
}

export type ThankYouStatus = 'none' | 'pending' | 'sent';

export interface DonorSummary {
  donorId: string;
  donationCount: number;
  totals: Record<string, number>;
  firstDonationAt: string;
  lastDonationAt: string;
  thankYou: { status: ThankYouStatus; sentAt?: string };
}

/** The request as stored with its idempotency key: defaults applied, so `{}` and `{"currency":"GBP"}` match. */
export function normaliseDonation(
  input: Omit<DonationRequest, 'currency'> & { currency?: string },
): DonationRequest {
  return {
    donorId: input.donorId,
    amount: input.amount,
    currency: input.currency ?? defaultCurrency,
    ...(input.email !== undefined && { email: input.email.toLowerCase() }),
  };
}

/** A fingerprint of the request, to tell a retry from a different request reusing a key. */
export function requestFingerprint(request: DonationRequest): string {
  const canonical = JSON.stringify([
    request.donorId,
    request.amount,
    request.currency,
    request.email ?? null,
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}

/** Whether recording donation number `count` is what earns the thank-you. */
export function earnsThankYou(count: number, threshold: number): boolean {
  return count === threshold;
}

export function thankYouMessage(donationCount: number): { subject: string; message: string } {
  return {
    subject: 'Thank you for your generosity',
    message:
      `Thank you! You have now made ${donationCount} donations. ` +
      'Supporters who give again, like you, make our long-term work possible.',
  };
}
