import type { Logger } from 'pino';
import { v7 as uuidV7 } from 'uuid';
import { HttpProblem } from '../../platform/http/problem.js';
import { type DonationRequest, earnsThankYou, requestFingerprint } from './domain.js';
import type { IdempotencyStore } from './idempotency-store.js';
import type { LedgerStore } from './ledger-store.js';
import type { ThankYouSender } from './thank-you.js';

export interface RecordedDonation {
  donationId: string;
  donorId: string;
  amount: number;
  currency: string;
  createdAt: string;
  donationCount: number;
  thankYouSent: boolean;
}

export interface RecordDonationDependencies {
  ledger: LedgerStore;
  keys: IdempotencyStore;
  thankYou: ThankYouSender;
  threshold: number;
  clock: () => Date;
  /** How long a repeat waits for the first request with its key to finish. */
  waitForFirstMs?: number;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Records a donation once, counts it, and publishes the thank-you if this is the donation that earns
 * it. With an idempotency key, a repeat (in sequence or in parallel) gets the first response and
 * records nothing; the same key with a different request is refused.
 */
export function donationRecorder(deps: RecordDonationDependencies) {
  const { ledger, keys, thankYou, threshold, clock, waitForFirstMs = 10_000 } = deps;

  async function appendAndFinish(
    request: DonationRequest,
    donationId: string,
    log: Logger | undefined,
    beforeAttempt?: (n: number) => Promise<void>,
  ) {
    const donation = { ...request, donationId, createdAt: clock().toISOString() };
    const n = await ledger.append(donation, beforeAttempt);
    return finish({ ...donation, donationCount: n }, log);
  }

  async function finish(
    donation: Omit<RecordedDonation, 'thankYouSent'> & { email?: string },
    log: Logger | undefined,
  ): Promise<RecordedDonation> {
    const n = donation.donationCount;
    await ledger.countUpTo(donation.donorId, n, threshold);
    const thankYouSent =
      earnsThankYou(n, threshold) && (await thankYou.send(donation.donorId, 'donation', log)) === 'sent';
    const { email: _email, ...visible } = donation;
    return { ...visible, thankYouSent };
  }

  async function recordWithKey(
    request: DonationRequest,
    key: string,
    log: Logger | undefined,
  ): Promise<{ response: RecordedDonation; replayed: boolean }> {
    const fingerprint = requestFingerprint(request);
    const token = uuidV7();
    // Real elapsed time, not the business clock: this bounds how long the caller waits.
    const deadline = performance.now() + waitForFirstMs;
    for (let delay = 25; ; delay = Math.min(delay * 2, 500)) {
      const claim = await keys.claim(key, fingerprint, token, clock());
      if (claim.state === 'mismatch') {
        throw new HttpProblem(422, 'This Idempotency-Key was already used with a different request.');
      }
      if (claim.state === 'completed')
        return { response: claim.response as RecordedDonation, replayed: true };
      if (claim.state === 'started') {
        const response = await recordOwned(request, key, token, claim, log);
        await keys.complete(key, token, response);
        return { response, replayed: false };
      }
      if (performance.now() > deadline) {
        throw new HttpProblem(409, 'A request with this Idempotency-Key is still in progress; retry later.');
      }
      await pause(delay);
    }
  }

  /** The keyed path: the donation's id comes with the key's claim, and every attempt is noted first. */
  async function recordOwned(
    request: DonationRequest,
    key: string,
    token: string,
    { donationId, lastAttempt }: { donationId: string; lastAttempt?: number },
    log: Logger | undefined,
  ) {
    if (lastAttempt !== undefined) {
      const earlier = await ledger.donationAt(request.donorId, lastAttempt);
      if (earlier?.donationId === donationId) return finish(earlier, log);
    }
    return appendAndFinish(request, donationId, log, (attempt) => keys.noteAttempt(key, token, attempt));
  }

  return {
    /** `log` is the request's logger, so the thank-you's lines carry its request id. */
    async record(request: DonationRequest, key?: string, log?: Logger) {
      return key
        ? recordWithKey(request, key, log)
        : { response: await appendAndFinish(request, uuidV7(), log), replayed: false };
    },
  };
}
