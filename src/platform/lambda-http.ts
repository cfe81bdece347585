import awsLambdaFastify, { type LambdaResponse, type PromiseHandler } from '@fastify/aws-lambda';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { pino } from 'pino';
import { cloudContext } from './cloud-context.js';
import { loadConfig } from './config.js';
import { buildApp } from './http/app.js';
import { isAcceptableRequestId } from './http/request-id.js';
import { loggerOptions } from './log.js';
import type { ServiceModule } from './service.js';

export type HttpApiHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<LambdaResponse>;

/**
 * The same Fastify app behind API Gateway's HTTP API. It is built on the first event and kept for
 * the life of the execution environment, so clients and compiled schemas are reused across calls.
 * Background tasks do not run on timers here (a frozen environment would run them at random);
 * `createTaskHandler` runs them on a schedule instead.
 */
export function createHttpApiHandler(services: ServiceModule[], env = process.env): HttpApiHandler {
  let proxy: Promise<PromiseHandler<APIGatewayProxyEventV2>> | undefined;
  const start = async () => {
    const config = loadConfig(env);
    const logger = pino(loggerOptions(config.logLevel));
    const app = await buildApp({
      logger,
      services,
      context: cloudContext(config, logger.child({ service: 'platform' }), services),
      backgroundTasks: false,
      console: false,
    });
    await app.ready();
    return awsLambdaFastify<APIGatewayProxyEventV2>(app, { decorateRequest: false });
  };
  return async (event, context) => {
    proxy ??= start();
    return (await proxy)(correlated(event), context);
  };
}

/**
 * Links the app's logs to API Gateway's and X-Ray's: with no usable `X-Request-Id` from the caller,
 * API Gateway's own request id (the one in its access log) becomes the request id, echoed and logged;
 * the invocation's X-Ray trace header is passed on for every log line to carry.
 */
export function correlated(event: APIGatewayProxyEventV2, env = process.env): APIGatewayProxyEventV2 {
  const headers = { ...event.headers };
  const given = headers['x-request-id'];
  if (!(given && isAcceptableRequestId(given)) && event.requestContext?.requestId) {
    headers['x-request-id'] = event.requestContext.requestId;
  }
  const trace = env._X_AMZN_TRACE_ID;
  if (trace && !headers['x-amzn-trace-id']) headers['x-amzn-trace-id'] = trace;
  return { ...event, headers };
}
