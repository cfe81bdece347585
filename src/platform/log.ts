import { createHash, createHmac } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { LoggerOptions } from 'pino';
import type { LogLevel } from './config.js';

const censor = '[redacted]';

/**
 * Keys never written to a log, at the top of a line or one level down (`{ user: { email } }`).
 * Request bodies and URLs are not logged at all (usernames sit in paths), so these catch what a
 * handler might pass to the logger by mistake. `req` and `res` are left to their serializers, which
 * write only the method, the route pattern and the status (so no header can reach a line).
 */
export const personalKeys = ['email', 'name', 'username', 'dateOfBirth'];
const serializedKeys = new Set(['req', 'res']);

const hasPersonalKey = (value: object) => personalKeys.some((key) => Object.hasOwn(value, key));

/** A copy with the personal keys censored; an Error stays an Error (type, message and stack kept). */
function censoredCopy(value: object): object {
  const copy = Object.create(Object.getPrototypeOf(value), Object.getOwnPropertyDescriptors(value));
  for (const key of personalKeys) {
    if (Object.hasOwn(value, key)) Object.defineProperty(copy, key, { value: censor, enumerable: true });
  }
  return copy;
}

/**
 * One level down, by hand: pino's wildcard paths (`*.email`) deep-clone every line they look at,
 * which doubled the cost of each request's log line (docs/performance.md, P2). The top level stays
 * with pino's redaction, which is compiled and cheap, and covers a child logger's bindings too.
 */
export function censorNested(line: Record<string, unknown>): Record<string, unknown> {
  let censored: Record<string, unknown> | undefined;
  for (const key in line) {
    const value = line[key];
    if (serializedKeys.has(key) || value === null || typeof value !== 'object' || !hasPersonalKey(value))
      continue;
    censored ??= { ...line };
    censored[key] = censoredCopy(value);
  }
  return censored ?? line;
}

/**
 * pino options shared by every runtime: JSON lines on stdout, ISO time. The root logger carries no
 * `service`: the app binds `platform` or the service's name, so no line has the key twice.
 */
export function loggerOptions(level: LogLevel): LoggerOptions {
  return {
    level,
    base: {},
    timestamp: () => `,"time":"${new Date().toISOString()}"`,
    formatters: { level: (label) => ({ level: label }), log: censorNested },
    redact: { paths: personalKeys, censor },
    serializers: {
      // The route pattern, not the URL: `/hello/{username}` must not put a name into the logs.
      req: (req: FastifyRequest) => ({ method: req.method, route: req.routeOptions?.url ?? '(no route)' }),
      res: (reply: FastifyReply) => ({ statusCode: reply.statusCode }),
    },
  };
}

/**
 * A keyed digest for ids that may be personal data (a donor id may be an e-mail address): logs carry
 * it to correlate lines by, never the id. Keyed (HMAC), so a guessed address cannot be checked
 * against a log; the key is `SKIFF_LOG_DIGEST_KEY` (one per stage), or random per process when unset.
 */
export function keyedDigest(key: string): (value: string) => string {
  return (value) => createHmac('sha256', key).update(value).digest('hex').slice(0, 16);
}

/** Object keys carry file names (personal data): logs get a short hash of the key to correlate by. */
export const keyDigest = (key: string) => createHash('sha256').update(key).digest('hex').slice(0, 16);
