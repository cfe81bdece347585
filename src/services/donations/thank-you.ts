import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { faultKind, isCodeError } from '../../platform/aws/transient-error.js';
import { withDeadline } from '../../platform/deadline.js';
import { emitMetric } from '../../platform/metrics.js';
import type { Notifier } from '../../platform/notify/notifier.js';
import { thankYouMessage } from './domain.js';
import type { LedgerStore, ThankYouClaim } from './ledger-store.js';

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
  /**
   * One try at a donor's thank-you. `requestLog`, when a request triggers it, puts its request id on
   * the thank-you's lines. A fault of the ledger past the SDK's retries (the claim), or of our code,
   * is a failed try, not an error: the thank-you stays owed in the ledger for the sweep, so neither
   * the donation that earned it nor the rest of a sweep fails for it.
   */
  async function send(
    donorId: string,
    trigger: 'donation' | 'sweep',
    requestLog: Logger = log,
  ): Promise<SendOutcome> {
    try {
      return await claimAndPublish(donorId, trigger, requestLog);
    } catch (error) {
      const fields = { event: 'thank-you', donor: digest(donorId), trigger, fault: faultKind(error) };
      // Only the claim is unguarded, but a bug of ours must not read as an outage of DynamoDB.
      const cause = isCodeError(error) ? 'an error of ours' : 'the ledger failed';
      requestLog.error(fields, `thank-you not tried: ${cause}; the sweep will try again`);
      return 'failed';
    }
  }

  async function claimAndPublish(
    donorId: string,
    trigger: 'donation' | 'sweep',
    requestLog: Logger,
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
    let messageId: string;
    try {
      // A publish that hangs is cut off and given back while the lease still holds: never two at once.
      const left = Math.max(0, publishDeadlineMs - (performance.now() - claimedFrom));
      ({ messageId } = await withDeadline(left, (signal) =>
        notifier.publish(noticeOf(donorId, claim), { signal }),
      ));
    } catch (error) {
      const reason = (error as Error).name || 'Error';
      requestLog.warn({ ...fields, reason }, 'thank-you publish failed; will retry');
      // If the ledger fails this too, the claim's lease frees the thank-you for a later sweep.
      await ledger.releaseThankYou(donorId, token, reason).catch((fault: unknown) => {
        const line = { ...fields, fault: faultKind(fault) };
        requestLog.error(line, 'thank-you not given back: a sweep retries it once its lease lapses');
      });
      return 'failed';
    }
    await recordSent(donorId, token, { ...fields, messageId }, requestLog);
    return 'sent';
  }

  /**
   * Once SNS has the message it is never given back, or the sweep would send it at once. If the
   * `sent` write fails too, the thank-you stays `publishing` until its lease lapses; then a sweep
   * sends it again: the window docs/donations.md names.
   */
  async function recordSent(
    donorId: string,
    token: string,
    fields: object & { messageId: string },
    requestLog: Logger,
  ) {
    try {
      if (!(await ledger.markThankYouSent(donorId, token, clock(), fields.messageId))) {
        requestLog.error(fields, 'thank-you published after its lease lapsed');
      }
    } catch (error) {
      requestLog.error(
        { ...fields, fault: faultKind(error) },
        'thank-you published, but not recorded as sent',
      );
    }
    requestLog.info(fields, 'thank-you published');
  }

  const noticeOf = (donorId: string, claim: ThankYouClaim) => ({
    topic,
    ...thankYouMessage(claim.donationCount),
    attributes: {
      donorId,
      donationCount: claim.donationCount,
      ...(claim.email && { email: claim.email }),
    },
  });

  return {
    send,
    /** Retries every pending thank-you; run at start and on an interval. Reports how many are left. */
    async sweep(): Promise<void> {
      const donors = await ledger.pendingThankYous();
      let left = 0;
      for (const donorId of donors) if ((await send(donorId, 'sweep')) === 'failed') left += 1;
      emitMetric(log, pendingThankYousMetric, left);
    },
  };
}

export type ThankYouSender = ReturnType<typeof thankYouSender>;
