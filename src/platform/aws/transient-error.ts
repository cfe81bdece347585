/** The error names AWS services use for throttling and passing faults, across S3, SNS and DynamoDB. */
const transientNames = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'SlowDown',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'InternalError',
  'InternalErrorException',
  'InternalFailure',
  'ServiceUnavailable',
  'KMSThrottlingException',
  // Ours (`unprocessed.ts`): a batch DynamoDB kept handing back, throttled, through every retry.
  'UnprocessedItemsError',
]);

const transientCodes = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN']);

/**
 * Whether trying again later may succeed: throttling, a server-side fault (5xx), a timeout or a dropped
 * connection. A missing bucket, a denied call or a bad request is not: trying again changes nothing.
 */
export function isTransient(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const sdk = error as Error & {
    $fault?: string;
    $retryable?: unknown;
    $metadata?: { httpStatusCode?: number };
    code?: string;
  };
  const status = sdk.$metadata?.httpStatusCode ?? 0;
  return (
    transientNames.has(error.name) ||
    sdk.$fault === 'server' ||
    sdk.$retryable !== undefined ||
    status === 429 ||
    status >= 500 ||
    transientCodes.has(sdk.code ?? '')
  );
}

/** JavaScript's own error types: thrown by code (ours or a package's), never by an AWS service. */
const codeErrors = new Set(['Error', 'TypeError', 'RangeError', 'SyntaxError', 'ReferenceError', 'URIError']);

/**
 * An error of the code, such as a TypeError, or the SDK refusing to marshal an item (a plain Error):
 * the same input brings it back on every try. A service's refusal (AccessDenied, a missing table, a
 * ValidationException after a faulty deploy) or missing credentials are named errors of the
 * deployment instead, and the same input succeeds once the deployment is mended.
 */
export const isCodeError = (error: unknown) =>
  error instanceof Error && codeErrors.has(error.name) && !('$metadata' in error);

/** The kind of a fault, for statuses and logs: the error's name, never its text (which may quote data). */
export const faultKind = (error: unknown) => (error instanceof Error ? error.name : 'Error').slice(0, 100);

/**
 * A fault as a log line's fields: its kind, and the code and HTTP status it carries when it has them
 * (`ECONNREFUSED`, 403); never its text, which may quote data.
 */
export function faultFields(error: unknown): { fault: string; code?: string; status?: number } {
  const details = error as { code?: unknown; $metadata?: { httpStatusCode?: number } } | undefined;
  const status = details?.$metadata?.httpStatusCode;
  return {
    fault: faultKind(error),
    ...(typeof details?.code === 'string' && { code: details.code }),
    ...(status !== undefined && { status }),
  };
}
