/** What this guard uses of a Koa context (s3rver is a Koa app). */
interface RequestContext {
  method: string;
  path: string;
  status: number;
  type: string;
  body: unknown;
}

/** S3's longest key, in UTF-8 bytes. */
const maxKeyBytes = 1024;
/** s3rver stores a key's last segment as `<segment>._S3rver_metadata.json`; file names stop at 255 bytes. */
const maxSegmentBytes = 255 - '._S3rver_metadata.json'.length;

const keyTooLong = `<?xml version="1.0" encoding="UTF-8"?>
<Error><Code>KeyTooLongError</Code><Message>Your key is too long</Message></Error>`;

/** The decoded path of a request; undefined when it does not decode (s3rver answers that itself). */
function decoded(path: string): string | undefined {
  try {
    return decodeURIComponent(path);
  } catch {
    return undefined;
  }
}

/** Path-style (`/bucket/key`) or virtual-host style (`/key`): every segment must make a file name. */
function isTooLong(path: string): boolean {
  const [, bucket = '', ...key] = path.split('/');
  return (
    Buffer.byteLength(key.join('/')) > maxKeyBytes ||
    [bucket, ...key].some((segment) => Buffer.byteLength(segment) > maxSegmentBytes)
  );
}

/**
 * Refuses a write whose key S3 would refuse (over 1,024 bytes) or whose segment the file system
 * cannot name, as S3 does: 400 KeyTooLongError. Without it s3rver fails to open the file outside any
 * error handler, and the exception takes the whole process down.
 */
export function s3KeyGuard() {
  return async (ctx: RequestContext, next: () => Promise<unknown>) => {
    const path = ctx.method === 'PUT' || ctx.method === 'POST' ? decoded(ctx.path) : undefined;
    if (path === undefined || !isTooLong(path)) return next();
    ctx.status = 400;
    ctx.type = 'application/xml';
    ctx.body = keyTooLong;
  };
}
