import autocannon from 'autocannon';

export interface LoadResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  non2xx: number;
}

/**
 * HTTP load on one URL with autocannon: `connections` kept-alive connections for `seconds`, after a
 * one-second warm-up that is not counted (JIT, connection setup, first reads).
 */
export async function load(
  url: string,
  { connections = 50, seconds = 5, headers = {} as Record<string, string> } = {},
): Promise<LoadResult> {
  await autocannon({ url, connections, duration: 1, headers });
  const result = await autocannon({ url, connections, duration: seconds, headers });
  if (result.errors > 0 || result.non2xx > 0) {
    throw new Error(`${url}: ${result.errors} errors and ${result.non2xx} non-2xx answers under load`);
  }
  return {
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors,
    non2xx: result.non2xx,
  };
}
