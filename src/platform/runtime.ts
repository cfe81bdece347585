import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { listenFailure } from './listen-failure.js';

/**
 * Listens until SIGTERM or SIGINT, then runs `close`, bounded by the shutdown timeout. `close` must
 * close the app first (stop accepting, let in-flight requests finish), then what the runtime holds.
 */
export async function serveUntilSignalled(
  app: FastifyInstance,
  config: Config,
  logger: Logger,
  close: () => Promise<void>,
): Promise<void> {
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      logger.error({ timeoutMs: config.shutdownTimeoutMs }, 'shutdown timed out; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs);
    timer.unref();
    try {
      await close();
      logger.info('stopped');
      process.exitCode = 0;
    } catch (error) {
      logger.error({ err: error }, 'shutdown failed');
      process.exitCode = 1;
    } finally {
      clearTimeout(timer);
    }
  };
  const onTerm = () => void stop('SIGTERM');
  const onInt = () => void stop('SIGINT');
  process.once('SIGTERM', onTerm);
  process.once('SIGINT', onInt);
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    // Nothing to stop: a start tried again in this process (scripts/start.mjs) sets its own.
    process.off('SIGTERM', onTerm);
    process.off('SIGINT', onInt);
    if ((error as NodeJS.ErrnoException).syscall !== 'listen') throw error;
    throw listenFailure('the platform', `${config.host}:${config.port}`, 'PORT', error);
  }
}
