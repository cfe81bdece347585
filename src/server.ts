/** Container entry: the services named in SERVICES, against whatever AWS the environment points at. */
import { pino } from 'pino';
import { cloudContext } from './platform/cloud-context.js';
import { loadConfig } from './platform/config.js';
import { buildApp } from './platform/http/app.js';
import { loggerOptions } from './platform/log.js';
import { serveUntilSignalled } from './platform/runtime.js';
import { startupFailed } from './platform/startup.js';
import { selectServices } from './services/catalog.js';

try {
  const config = loadConfig();
  const logger = pino(loggerOptions(config.logLevel));
  const services = selectServices(config.services);
  const context = cloudContext(config, services);
  const app = await buildApp({ logger, services, context });
  await serveUntilSignalled(app, config, logger.child({ service: 'platform' }), async () => {
    await app.close();
    context.aws.destroy();
  });
} catch (error) {
  startupFailed(error);
}
