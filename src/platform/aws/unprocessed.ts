const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

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
    if (round > maxRetries)
      throw new Error(`${what} left ${pending.length} unprocessed after ${maxRetries} retries`);
    if (round > 0) await pause(backoffMs * 2 ** (round - 1) * (0.5 + Math.random()));
    pending = await send(pending);
  }
}
