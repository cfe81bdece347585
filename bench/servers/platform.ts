/**
 * The platform as `npm start` runs it (the services named by SERVICES, logs at LOG_LEVEL, default
 * info, to stdout), on a free port; against the engines named by AWS_ENDPOINT_URL_* when given.
 */
import { pino } from 'pino';
import { startLocalPlatform } from '../../src/local/platform.js';
import { loadConfig } from '../../src/platform/config.js';
import { loggerOptions } from '../../src/platform/log.js';

const config = loadConfig();
const platform = await startLocalPlatform(config, pino(loggerOptions(config.logLevel)));
const url = await platform.app.listen({ port: 0, host: '127.0.0.1' });
process.send?.({ url });
process.on('SIGTERM', () => void platform.close().then(() => process.exit(0)));
