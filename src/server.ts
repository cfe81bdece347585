/** Container entry: the services named in SERVICES, against whatever AWS the environment points at. */
import { pino } from 'pino';
import { createAwsClients } from './platform/aws/clients.js';
import { loadConfig } from './platform/config.js';
import { buildApp } from './platform/http/app.js';
import { loggerOptions } from './platform/log.js';
import { serveUntilSignalled } from './platform/runtime.js';
import { startupFailed } from './platform/startup.js';
import { selectServices } from './services/catalog.js';

try {
  const config = loadConfig();
  const logger = pino(loggerOptions(config.logLevel));
  const aws = createAwsClients({ region: config.region, endpoints: config.endpoints });
  const app = await buildApp({
    logger,
    services: selectServices(config.services),
    context: { config, aws, clock: () => new Date() },
  });
  await serveUntilSignalled(app, config, logger.child({ service: 'platform' }), async () => {
    await app.close();
    aws.destroy();
  });
} catch (error) {
  startupFailed(error);
}
