import { createHash, createHmac } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { LoggerOptions } from 'pino';
import type { LogLevel } from './config.js';

/**
 * Paths never written to a log. Request bodies and URLs are not logged at all (usernames sit in paths),
 * so these catch what a handler might pass to the logger by mistake.
 */
export const redactedPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'email',
  '*.email',
  'name',
  '*.name',
  'username',
  '*.username',
  'dateOfBirth',
  '*.dateOfBirth',
];

/**
 * pino options shared by every runtime: JSON lines on stdout, ISO time. The root logger carries no
 * `service`: the app binds `platform` or the service's name, so no line has the key twice.
 */
export function loggerOptions(level: LogLevel): LoggerOptions {
  return {
    level,
    base: {},
    timestamp: () => `,"time":"${new Date().toISOString()}"`,
    formatters: { level: (label) => ({ level: label }) },
    redact: { paths: redactedPaths, censor: '[redacted]' },
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
