/** `npm start`: every service on one local platform with embedded DynamoDB and S3. */
import { pino } from 'pino';
import { startLocalPlatform } from './local/platform.js';
import { loadConfig } from './platform/config.js';
import { loggerOptions } from './platform/log.js';
import { serveUntilSignalled } from './platform/runtime.js';
import { startupFailed } from './platform/startup.js';

try {
  const config = loadConfig();
  const logger = pino(loggerOptions(config.logLevel));
  const platform = await startLocalPlatform(config, logger);
  await serveUntilSignalled(platform.app, config, logger.child({ service: 'platform' }), platform.close);
} catch (error) {
  startupFailed(error);
}
