/**
 * `npm start`'s platform: every service on one local platform with embedded DynamoDB and S3.
 * scripts/start.mjs builds this module and calls `startLocal`; it runs nothing by itself, so that a
 * start from the bundle of the packages that fails can be tried again from the quick build, in the
 * same process (decision 0017).
 */
import { type EmbeddedDynamo, startEmbeddedDynamo } from './local/dynamo-engine.js';
import { localEngineOptions } from './local/engine-options.js';
import { ConfigError, loadConfig } from './platform/config.js';

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
      await platform.close();
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
 * when the configuration is refused or the platform's port is taken, which no build changes.
 */
export function mayBeTheBuild(error: unknown): boolean {
  return !(error instanceof ConfigError || (error as NodeJS.ErrnoException)?.code === 'EADDRINUSE');
}
