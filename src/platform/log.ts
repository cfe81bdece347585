import { createHash, createHmac } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { LoggerOptions } from 'pino';
import type { LogLevel } from './config.js';

const censor = '[redacted]';

/**
 * Keys never written to a log, at any depth of a line (`{ batch: [{ user: { email } }] }`). Request
 * bodies and URLs are not logged at all (usernames sit in paths), so these catch what a handler might
 * pass to the logger by mistake. `req` and `res` are left to their serializers, which write only the
 * method, the route pattern and the status (so no header can reach a line).
 */
export const personalKeys = ['email', 'name', 'username', 'dateOfBirth'];
const personal = new Set(personalKeys);
const serializedKeys = new Set(['req', 'res']);

/** Deeper than any line the services write: what lies below is censored whole, unread. */
const maxDepth = 8;

/** Objects whose keys JSON writes: not a Buffer's or a typed array's bytes. */
const isSearchable = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !ArrayBuffer.isView(value);

/**
 * A shallow copy that keeps an Error an Error (type, message and stack) and an array an array. Its
 * own fields are made writable, so a frozen object's copy can be censored: a logger must not throw.
 */
function shallowCopy(value: Record<string, unknown>): Record<string, unknown> {
  if (Array.isArray(value)) return value.slice() as unknown as Record<string, unknown>;
  const fields = Object.getOwnPropertyDescriptors(value);
  for (const field of Object.values(fields)) {
    field.configurable = true;
    if ('value' in field) field.writable = true;
  }
  return Object.create(Object.getPrototypeOf(value), fields);
}

/**
 * `value` with every personal key censored, at any depth: the same object when it holds none, so a
 * line without personal data is not copied; otherwise copies along the paths that change, never the
 * caller's objects. `ancestors` stops a cycle, which the JSON writer marks `[Circular]`.
 */
function censored(value: Record<string, unknown>, ancestors: object[]): Record<string, unknown> | string {
  if (ancestors.length >= maxDepth) return censor;
  let copy: Record<string, unknown> | undefined;
  ancestors.push(value);
  for (const key in value) {
    const field = value[key];
    let replacement: unknown = field;
    if (personal.has(key)) replacement = censor;
    else if (isSearchable(field) && !ancestors.includes(field)) replacement = censored(field, ancestors);
    if (replacement === field) continue;
    copy ??= shallowCopy(value);
    Object.defineProperty(copy, key, {
      value: replacement,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  ancestors.pop();
  return copy ?? value;
}

/**
 * pino's `formatters.log`: the line's nested objects, searched by hand. pino's wildcard paths
 * (`*.email`) deep-clone every line they look at, which doubled the cost of each request's log line
 * (docs/performance.md, P2); this copies nothing unless a personal key is found. The top level stays
 * with pino's redaction, which is compiled and cheap, and covers a child logger's bindings too.
 */
export function censorNested(line: Record<string, unknown>): Record<string, unknown> {
  let result: Record<string, unknown> | undefined;
  for (const key in line) {
    const value = line[key];
    if (serializedKeys.has(key) || !isSearchable(value)) continue;
    const replacement = censored(value, [line]);
    if (replacement === value) continue;
    result ??= { ...line };
    result[key] = replacement;
  }
  return result ?? line;
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
