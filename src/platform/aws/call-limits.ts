/** How long and how often one AWS SDK call may try: the bound every lease is measured against. */

export interface AwsTimeouts {
  connectMs: number;
  requestMs: number;
}

/** Tries per call (the SDK's standard retry mode). */
export const sdkMaxAttempts = 3;

/**
 * The longest one DynamoDB or SNS call can take, all tries included: what a lease must outlast.
 * The SDK's backoff between tries is at most a second or so at three tries.
 */
export function worstCaseCallMs({ connectMs, requestMs }: AwsTimeouts): number {
  return sdkMaxAttempts * (connectMs + requestMs) + 2_000;
}
