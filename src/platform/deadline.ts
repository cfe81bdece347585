/** The error a deadline raises: a passing fault (`TimeoutError`, as the SDK names its own). */
export class DeadlineExceeded extends Error {
  override name = 'TimeoutError';
}

/**
 * Runs `work` with an AbortSignal that fires after `ms`, and stops waiting for it then, even if
 * `work` ignores the signal: the caller can give its lease back before the lease lapses, instead of
 * holding it for as long as a hung call takes.
 */
export async function withDeadline<T>(ms: number, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort(new DeadlineExceeded(`no answer within ${ms} ms`));
      reject(controller.signal.reason);
    }, ms);
  });
  try {
    return await Promise.race([work(controller.signal), expired]);
  } finally {
    clearTimeout(timer);
  }
}
