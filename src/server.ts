/** Container entry: the services named in SERVICES, against whatever AWS the environment points at. */
import { pino } from 'pino';
import { allClientMakers } from './platform/aws/clients.js';
import { cloudContext } from './platform/cloud-context.js';
import { loadConfig } from './platform/config.js';
import { buildApp } from './platform/http/app.js';
import { registerOpenApi } from './platform/http/openapi.js';
import { loggerOptions } from './platform/log.js';
import { serveUntilSignalled } from './platform/runtime.js';
import { startupFailed } from './platform/startup.js';
import { selectServices } from './services/catalog.js';

try {
  const config = loadConfig();
  const logger = pino(loggerOptions(config.logLevel));
  const services = selectServices(config.services);
  // Every client, as the CLI and the local platform have: the image serves any SERVICES.
  const log = logger.child({ service: 'platform' });
  const context = cloudContext(config, log, services, allClientMakers);
  const app = await buildApp({ logger, services, context, openApi: registerOpenApi });
  await serveUntilSignalled(app, config, log, async () => {
    await app.close();
    context.aws.destroy();
  });
} catch (error) {
  startupFailed(error);
}
