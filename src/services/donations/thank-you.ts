import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { faultKind } from '../../platform/aws/transient-error.js';
import { withDeadline } from '../../platform/deadline.js';
import { emitMetric } from '../../platform/metrics.js';
import type { Notifier } from '../../platform/notify/notifier.js';
import { thankYouMessage } from './domain.js';
import type { LedgerStore } from './ledger-store.js';

export interface ThankYouDependencies {
  ledger: LedgerStore;
  notifier: Notifier;
  topic: string;
  clock: () => Date;
  log: Logger;
  /** How long one publisher holds a thank-you before another may retry it. */
  leaseMs: number;
  /** When the publish is given up: early enough that the write after it still fits in the lease. */
  publishDeadlineMs: number;
  /** What logs carry instead of a donor id (which may be an e-mail address). */
  digest: (donorId: string) => string;
}

/** The EMF metric the sweep reports: thank-yous still unpublished after it ran. */
export const pendingThankYousMetric = 'ThankYousPending';

export type SendOutcome = 'sent' | 'failed' | 'not-pending';

/**
 * Publishes a donor's thank-you at most once. The summary item is the lock: a publisher first moves
 * it from `pending` to `publishing` with a lease (a conditional write only one caller can win), then
 * publishes, then marks it `sent`. A failed publish puts it back to `pending` for the sweep.
 */
export function thankYouSender({
  ledger,
  notifier,
  topic,
  clock,
  log,
  leaseMs,
  publishDeadlineMs,
  digest,
}: ThankYouDependencies) {
  /** `requestLog`, when a request triggers the send, puts its request id on the thank-you's lines. */
  async function send(
    donorId: string,
    trigger: 'donation' | 'sweep',
    requestLog: Logger = log,
  ): Promise<SendOutcome> {
    const token = randomUUID();
    // The lease runs from the claim: time the claim itself took is time the publish does not get.
    const claimedFrom = performance.now();
    const claim = await ledger.claimThankYou(donorId, token, clock(), leaseMs);
    if (!claim) return 'not-pending';
    const fields = {
      event: 'thank-you',
      donor: digest(donorId),
      donationCount: claim.donationCount,
      attempt: claim.attempts,
      trigger,
    };
    try {
      const notice = {
        topic,
        ...thankYouMessage(claim.donationCount),
        attributes: {
          donorId,
          donationCount: claim.donationCount,
          ...(claim.email && { email: claim.email }),
        },
      };
      // A publish that hangs is cut off and given back while the lease still holds: never two at once.
      const left = Math.max(0, publishDeadlineMs - (performance.now() - claimedFrom));
      const { messageId } = await withDeadline(left, (signal) => notifier.publish(notice, { signal }));
      if (!(await ledger.markThankYouSent(donorId, token, clock(), messageId))) {
        requestLog.error({ ...fields, messageId }, 'thank-you published after its lease lapsed');
      }
      requestLog.info({ ...fields, messageId }, 'thank-you published');
      return 'sent';
    } catch (error) {
      const reason = (error as Error).name || 'Error';
      await ledger.releaseThankYou(donorId, token, reason);
      requestLog.warn({ ...fields, reason }, 'thank-you publish failed; will retry');
      return 'failed';
    }
  }

  /**
   * One donor of a sweep. A fault of the ledger (its claim or its release, after the SDK's retries)
   * stops this donor's try only: the rest of the sweep goes on, and the next sweep tries it again.
   */
  async function sweepOne(donorId: string): Promise<SendOutcome> {
    try {
      return await send(donorId, 'sweep');
    } catch (error) {
      const fields = {
        event: 'thank-you',
        donor: digest(donorId),
        trigger: 'sweep',
        fault: faultKind(error),
      };
      log.error(fields, 'thank-you sweep could not try this donor; the next sweep will');
      return 'failed';
    }
  }

  return {
    send,
    /** Retries every pending thank-you; run at start and on an interval. Reports how many are left. */
    async sweep(): Promise<void> {
      const donors = await ledger.pendingThankYous();
      let left = 0;
      for (const donorId of donors) if ((await sweepOne(donorId)) === 'failed') left += 1;
      emitMetric(log, pendingThankYousMetric, left);
    },
  };
}

export type ThankYouSender = ReturnType<typeof thankYouSender>;
