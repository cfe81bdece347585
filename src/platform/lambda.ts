import awsLambdaFastify, { type LambdaResponse, type PromiseHandler } from '@fastify/aws-lambda';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { pino } from 'pino';
import { createAwsClients } from './aws/clients.js';
import { loadConfig } from './config.js';
import { buildApp } from './http/app.js';
import { loggerOptions } from './log.js';
import type { ServiceModule } from './service.js';

export type HttpApiHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<LambdaResponse>;

/**
 * The same Fastify app behind API Gateway's HTTP API. It is built on the first event and kept for
 * the life of the execution environment, so clients and compiled schemas are reused across calls.
 */
export function createHttpApiHandler(services: ServiceModule[], env = process.env): HttpApiHandler {
  let proxy: Promise<PromiseHandler<APIGatewayProxyEventV2>> | undefined;
  const start = async () => {
    const config = loadConfig(env);
    const logger = pino(loggerOptions(config.logLevel));
    const aws = createAwsClients({ region: config.region, endpoints: config.endpoints });
    const app = await buildApp({
      logger,
      services,
      context: { config, aws, clock: () => new Date() },
      swaggerUi: false,
    });
    await app.ready();
    return awsLambdaFastify<APIGatewayProxyEventV2>(app, { decorateRequest: false });
  };
  return async (event, context) => {
    proxy ??= start();
    return (await proxy)(event, context);
  };
}
