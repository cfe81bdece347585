/** `npm start`: every service on one local platform with embedded DynamoDB and S3. */
import { type EmbeddedDynamo, startEmbeddedDynamo } from './local/dynamo-engine.js';
import { localEngineOptions } from './local/engine-options.js';
import { loadConfig } from './platform/config.js';
import { startupFailed } from './platform/startup.js';

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
  await serveUntilSignalled(platform.app, config, logger.child({ service: 'platform' }), platform.close);
} catch (error) {
  // A start that failed before the platform took the engine over leaves no engine behind it.
  await (await embeddedDynamo?.catch(() => undefined))?.close();
  startupFailed(error);
}
