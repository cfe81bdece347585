import autocannon from 'autocannon';

export interface LoadResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

export interface LoadOptions {
  connections?: number;
  seconds?: number;
  headers?: Record<string, string>;
}

/**
 * HTTP load on one URL with autocannon: `connections` kept-alive connections for `seconds`. Nothing
 * here warms up: a benchmark warms each side once (`warmUp` in ./rounds.ts), then its short rounds
 * run back to back on hot processes. Any error or non-2xx answer fails the benchmark.
 */
export async function load(
  url: string,
  { connections = 50, seconds = 1, headers = {} }: LoadOptions = {},
): Promise<LoadResult> {
  const result = await autocannon({ url, connections, duration: seconds, headers });
  if (result.errors > 0 || result.non2xx > 0) {
    throw new Error(`${url}: ${result.errors} errors and ${result.non2xx} non-2xx answers under load`);
  }
  return {
    // Completed requests over the run's own measured duration (autocannon's per-second average
    // has a single sample in a one-second round).
    requestsPerSecond: result.requests.total / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
  };
}
