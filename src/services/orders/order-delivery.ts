import type { Logger } from 'pino';
import { faultKind, isTransient } from '../../platform/aws/transient-error.js';
import type { Notifier } from '../../platform/notify/notifier.js';
import { type DecidedOrder, runOfHolder } from './domain.js';
import type { ResultsStore } from './results-store.js';
import type { SettlementStore } from './settlement-store.js';

export interface DeliveryOutcome {
  record_id: string;
  /** `skipped`: already settled, held by another run, undecided again or expired. */
  delivery: 'settled' | 'left' | 'skipped';
  status?: 'accepted' | 'rejected';
  /** Why it was left: the error's name, never its text. */
  fault?: string;
  /** Whether trying again soon may succeed (throttling, 5xx, a timeout). */
  transient?: boolean;
}

export interface OrderDeliveryDependencies {
  settlements: SettlementStore;
  results: ResultsStore;
  notifier: Notifier;
  /** The notifications topic's physical name. */
  topic: string;
  clock: () => Date;
  log: Logger;
  /**
   * How long a claim holds. It outlasts one delivery by far (every SDK call is bounded by the AWS
   * timeouts, three tries), so a live holder never loses an order it is delivering to another.
   */
  leaseMs: number;
}

/**
 * Delivers one order's stored outcome, the brief's lambda_b: an accepted order's result to S3, a
 * rejected order's notice to SNS. Claim first, settle after: the order leaves the pending index only
 * once its outcome is delivered, and a failure leaves it pending for the next run.
 */
export function orderDelivery(deps: OrderDeliveryDependencies) {
  const { settlements, results, notifier, clock, log } = deps;

  const deliver = async (order: DecidedOrder): Promise<string> => {
    if (order.status === 'accepted') return results.putAccepted(order, clock());
    const { messageId } = await notifier.publish({
      topic: deps.topic,
      subject: 'Auction order rejected',
      message: `Order ${order.record_id} was rejected by the auction platform.`,
      // Lets a subscriber filter, route or deduplicate by order.
      attributes: { record_id: order.record_id },
    });
    return `notice:${messageId}`;
  };

  const left = (recordId: string, runId: string, error: unknown, status?: DecidedOrder['status']) => {
    const fault = faultKind(error);
    const transient = isTransient(error);
    log.warn({ event: 'order.left', runId, status, fault, transient }, 'order left for the next run');
    return { record_id: recordId, delivery: 'left', status, fault, transient } as const;
  };

  /**
   * `holder` names one DeliverBatch invocation (`<runId>#<nonce>`): a retry of the batch, even in the
   * same run, never takes over an order an earlier invocation may still be delivering.
   */
  return async (recordId: string, holder: string): Promise<DeliveryOutcome> => {
    const runId = runOfHolder(holder);
    let order: DecidedOrder | undefined;
    let delivery: string;
    try {
      order = await settlements.claim(recordId, holder, clock(), deps.leaseMs);
      if (!order) return { record_id: recordId, delivery: 'skipped' };
      delivery = await deliver(order);
    } catch (error) {
      // Given back for the next run. If this write fails too, the claim's deadline frees the order.
      if (order) await settlements.release(recordId, holder, faultKind(error)).catch(() => {});
      return left(recordId, runId, error, order?.status);
    }
    try {
      const settled = await settlements.settle(recordId, holder, clock(), delivery);
      return { record_id: recordId, delivery: settled ? 'settled' : 'skipped', status: order.status };
    } catch (error) {
      // Delivered, so never given back: a run that claimed it at once would send a second notice.
      // The claim holds it until its deadline, as if this run had died after delivering it.
      await settlements.noteFault(recordId, holder, faultKind(error)).catch(() => {});
      return left(recordId, runId, error, order.status);
    }
  };
}

/** Delivers one order for a claim holder, and says how it went. */
export type OrderDelivery = ReturnType<typeof orderDelivery>;
