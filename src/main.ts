/**
 * `npm start`'s platform: every service on one local platform with embedded DynamoDB and S3.
 * scripts/start.mjs builds this module and calls `startLocal`; it runs nothing by itself, so that a
 * start from the bundle of the packages that fails can be tried again from the quick build, in the
 * same process (decision 0017).
 */
import { type EmbeddedDynamo, startEmbeddedDynamo } from './local/dynamo-engine.js';
import { localEngineOptions } from './local/engine-options.js';
import { isTransient } from './platform/aws/transient-error.js';
import { ConfigError, loadConfig } from './platform/config.js';
import { withDeadline } from './platform/deadline.js';

export { startupFailed } from './platform/startup.js';

/**
 * Starts the platform: resolves once it listens; it then serves until SIGTERM or SIGINT. A start that
 * fails leaves nothing running behind it (engines, clients, listeners, signal handlers) and rejects.
 */
export async function startLocal(): Promise<void> {
  let embeddedDynamo: Promise<EmbeddedDynamo> | undefined;
  try {
    const config = loadConfig();
    // The engine's process starts (about 200 ms) while this one loads the platform's modules (the SDK,
    // Fastify, s3rver: about a second). scripts/start.mjs splits the build, so they load only below.
    const engineOptions = localEngineOptions(config);
    embeddedDynamo = engineOptions && startEmbeddedDynamo(engineOptions);
    // Its failure is the platform's to report when it takes the engine over, not an unhandled rejection now.
    embeddedDynamo?.catch(() => {});
    const [{ startLocalPlatform }, { pino }, { loggerOptions }, { serveUntilSignalled }] = await Promise.all([
      import('./local/platform.js'),
      import('pino'),
      import('./platform/log.js'),
      import('./platform/runtime.js'),
    ]);
    const logger = pino(loggerOptions(config.logLevel));
    const platform = await startLocalPlatform(config, logger, { embeddedDynamo });
    const platformLogger = logger.child({ service: 'platform' });
    await serveUntilSignalled(platform.app, config, platformLogger, platform.close).catch(async (error) => {
      // The background tasks started when the app became ready, before it tried to listen: a run under
      // way (a file being ingested) may keep the close waiting, so the start's error waits no longer
      // than a shutdown would.
      await withDeadline(config.shutdownTimeoutMs, () => platform.close()).catch(() => {});
      throw error;
    });
  } catch (error) {
    // A start that failed before the platform took the engine over leaves no engine behind it.
    await (await embeddedDynamo?.catch(() => undefined))?.close();
    throw error;
  }
}

/**
 * Whether a failed start could be the bundle's fault, so worth trying again from the quick build: not
 * when the configuration is refused, a port is taken (the platform's or an engine's) or an engine
 * answered with a passing fault, which no build changes, and which could be gone by the second try
 * and so blame a sound bundle.
 */
export function mayBeTheBuild(error: unknown): boolean {
  const taken = (error as NodeJS.ErrnoException)?.code === 'EADDRINUSE';
  return !(error instanceof ConfigError || taken || isTransient(error));
}
