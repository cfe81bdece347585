const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * DynamoDB still handing part of a batch back after every retry: throttling that outlasted the
 * backoff, a passing fault as its ThrottlingException is (`isTransient`), not an error of the caller.
 */
export class UnprocessedItemsError extends Error {
  constructor(what: string, left: number, retries: number) {
    super(`${what} left ${left} unprocessed after ${retries} retries`);
    this.name = 'UnprocessedItemsError';
  }
}

/**
 * Sends a batch call until DynamoDB has processed every request: `send` answers what came back
 * unprocessed (throttling), which is sent again after an exponential backoff with jitter.
 */
export async function untilProcessed<T>(
  first: T[],
  send: (pending: T[]) => Promise<T[]>,
  { maxRetries, backoffMs, what }: { maxRetries: number; backoffMs: number; what: string },
): Promise<void> {
  let pending = first;
  for (let round = 0; pending.length > 0; round += 1) {
    if (round > maxRetries) throw new UnprocessedItemsError(what, pending.length, maxRetries);
    if (round > 0) await pause(backoffMs * 2 ** (round - 1) * (0.5 + Math.random()));
    pending = await send(pending);
  }
}
