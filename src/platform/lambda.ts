import awsLambdaFastify, { type LambdaResponse, type PromiseHandler } from '@fastify/aws-lambda';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { pino } from 'pino';
import { cloudContext } from './cloud-context.js';
import { loadConfig } from './config.js';
import { buildApp } from './http/app.js';
import { loggerOptions } from './log.js';
import { resolveResources } from './resources.js';
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
    const app = await buildApp({
      logger: pino(loggerOptions(config.logLevel)),
      services,
      context: cloudContext(config, services),
      swaggerUi: false,
      backgroundTasks: false,
    });
    await app.ready();
    return awsLambdaFastify<APIGatewayProxyEventV2>(app, { decorateRequest: false });
  };
  return async (event, context) => {
    proxy ??= start();
    return (await proxy)(event, context);
  };
}

/** A service's background task as a Lambda, for an EventBridge schedule. */
export function createTaskHandler(
  service: ServiceModule,
  taskName: string,
  env = process.env,
): () => Promise<void> {
  let task: Promise<() => Promise<void>> | undefined;
  const start = async () => {
    const config = loadConfig(env);
    const context = cloudContext(config, [service]);
    const log = pino(loggerOptions(config.logLevel)).child({ service: service.name, task: taskName });
    const resources = resolveResources(config.stage, service.name, service.resources);
    const found = service.create({ ...context, resources, log }).tasks?.find((t) => t.name === taskName);
    if (!found) throw new Error(`${service.name} has no background task ${taskName}`);
    return () => found.run();
  };
  return async () => {
    task ??= start();
    await (await task)();
  };
}
