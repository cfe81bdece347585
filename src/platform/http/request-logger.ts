import type { IncomingMessage } from 'node:http';
import type { FastifyBaseLogger } from 'fastify';
import type { Bindings, ChildLoggerOptions, Level, Logger } from 'pino';
import { withTrace } from './request-id.js';

/**
 * A request's logger, made on its first line: a pino child per request costs about as much as the
 * rest of the platform's own work on a request, and a probe's requests never log (P1 in
 * docs/performance.md). Its lines are those of `parent.child(bindings + X-Ray trace, options)`.
 * Methods live on the prototype, so a request allocates this one object and no closures.
 */
class RequestLogger {
  #made: Logger | undefined;

  constructor(
    private readonly parent: Logger,
    private readonly bindings: Bindings,
    private readonly options: ChildLoggerOptions,
    private readonly request: IncomingMessage,
  ) {}

  #logger(): Logger {
    this.#made ??= this.parent.child(withTrace(this.bindings, this.request), this.options);
    return this.#made;
  }

  get level(): string {
    return this.#logger().level;
  }

  set level(level: string) {
    this.#logger().level = level;
  }

  child(bindings: Bindings, options?: ChildLoggerOptions): Logger {
    return this.#logger().child(bindings, options);
  }

  #write(level: Level, args: unknown[]): void {
    // A line the parent's level drops makes no child (a route's own level is the child's).
    const dropped = this.#made === undefined && this.options.level === undefined;
    if (dropped && !this.parent.isLevelEnabled(level)) return;
    (this.#logger()[level] as (...line: unknown[]) => void)(...args);
  }

  fatal(...args: unknown[]): void {
    this.#write('fatal', args);
  }
  error(...args: unknown[]): void {
    this.#write('error', args);
  }
  warn(...args: unknown[]): void {
    this.#write('warn', args);
  }
  info(...args: unknown[]): void {
    this.#write('info', args);
  }
  debug(...args: unknown[]): void {
    this.#write('debug', args);
  }
  trace(...args: unknown[]): void {
    this.#write('trace', args);
  }
  silent(): void {}
}

/** Fastify's `childLoggerFactory`: each request's logger, made lazily under `parent`. */
export function requestLoggerFactory(
  parent: FastifyBaseLogger,
  bindings: Bindings,
  options: ChildLoggerOptions,
  request: IncomingMessage,
): FastifyBaseLogger {
  return new RequestLogger(parent as Logger, bindings, options, request) as unknown as FastifyBaseLogger;
}
