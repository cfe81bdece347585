import { runOfHolder } from './domain.js';
import type { RunSummary } from './run-store.js';
import type { OrderStanding } from './settlement-store.js';

/** Fault kinds listed in a summary; the rest are counted under `other`. */
const maxFaultKinds = 10;

/** Whether another run holds the order now: that run will settle or release it. */
const heldElsewhere = (standing: OrderStanding, runId: string, now: Date) =>
  standing.claim !== undefined &&
  runOfHolder(standing.claim) !== runId &&
  (standing.claimUntil ?? 0) > now.getTime();

/**
 * A run's summary from where its orders stand once its deliveries are done. `left` counts the decided
 * orders still undelivered and held by no other live run: nothing but the next run will deliver them.
 */
export function summarize(
  runId: string,
  seed: string,
  orders: number,
  standings: OrderStanding[],
  now: Date,
): RunSummary {
  let accepted = 0;
  let rejected = 0;
  let left = 0;
  const faults: Record<string, number> = {};
  for (const standing of standings) {
    if (!standing.unsettled && standing.settledBy === runId) {
      if (standing.status === 'accepted') accepted += 1;
      else rejected += 1;
    } else if (standing.unsettled && standing.decided && !heldElsewhere(standing, runId, now)) {
      left += 1;
      const known = Object.keys(faults);
      const kind = standing.lastFault ?? 'Unknown';
      const counted = known.includes(kind) || known.length < maxFaultKinds ? kind : 'other';
      faults[counted] = (faults[counted] ?? 0) + 1;
    }
  }
  const settled = accepted + rejected;
  return {
    runId,
    seed,
    orders,
    settled,
    accepted,
    rejected,
    left,
    elsewhere: orders - settled - left,
    faults,
    summarizedAt: now.toISOString(),
  };
}
