import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** Safe to log and echo; API Gateway's ids (`JKJaXmPLvHcESHA=`) are base64, hence `+/=`. */
const acceptable = /^[A-Za-z0-9._:+/=-]{1,128}$/;

export function isAcceptableRequestId(value: string): boolean {
  return acceptable.test(value);
}

/** A caller's `X-Request-Id` is kept when it is safe to log and echo; otherwise a new one is made. */
export function requestIdFor(request: IncomingMessage): string {
  const given = request.headers['x-request-id'];
  return typeof given === 'string' && acceptable.test(given) ? given : randomUUID();
}

/** The trace's root id from an X-Ray header (`Root=1-…;Parent=…;Sampled=1`), when it has a sane one. */
export function traceIdOf(header: unknown): string | undefined {
  if (typeof header !== 'string') return undefined;
  const root = /(?:^|;)\s*Root=(1-[0-9a-f]{8}-[0-9a-f]{24})/.exec(header);
  return root?.[1];
}

/** A request logger's bindings, with the X-Ray trace when the request has one (on AWS): every line carries it. */
export function withTrace<T extends object>(bindings: T, request: IncomingMessage): T & { traceId?: string } {
  const traceId = traceIdOf(request.headers['x-amzn-trace-id']);
  return traceId ? { ...bindings, traceId } : bindings;
}
