import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyPluginAsync,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from 'fastify';
import type { Logger } from 'pino';
import { type ReadinessCheck, resourceChecks } from '../aws/readiness.js';
import { type BackgroundTask, type RunningTasks, startBackgroundTasks } from '../background.js';
import { type ResolvedResources, resolveResources } from '../resources.js';
import type { ServiceContext, ServiceInstance, ServiceModule } from '../service.js';
import { trackAllowedMethods } from './allowed-methods.js';
import { registerStrictJsonParser } from './body-text.js';
import { registerConsole } from './console.js';
import { registerHealthRoutes } from './health.js';
import { frameworkErrorProblem, registerProblemHandlers } from './problem.js';
import { requestIdFor } from './request-id.js';
import { requestLoggerFactory } from './request-logger.js';
import { schemaController } from './validation.js';

/** 128 characters of four UTF-8 bytes, each byte escaped as `%XX`: 1,536; with room to spare. */
export const maxParamLength = 2048;

/** Fastify's and the allowed-methods router's alike; ids as long as any write route accepts fit. */
const routerOptions = { maxParamLength };

export interface AppOptions {
  logger: Logger;
  services: ServiceModule[];
  context: Omit<ServiceContext, 'resources' | 'log'>;
  /** Checks added to the services' own (local mode adds the embedded S3). */
  extraReadinessChecks?: ReadinessCheck[];
  /** Routes outside any service, e.g. local mode's `/_local`. */
  extraRoutes?: FastifyPluginAsync;
  /**
   * The OpenAPI document and Swagger UI (`registerOpenApi` from `./openapi.ts`), registered before
   * the routes so it sees them all. The runtimes that serve docs (local platform, container) pass it;
   * Lambda does not, so its bundles hold no @fastify/swagger.
   */
  openApi?: (app: FastifyInstance) => Promise<void>;
  /** Run the services' background tasks on timers (default true); Lambda runs them on a schedule. */
  backgroundTasks?: boolean;
  /** The web console at `/`, when it was built (default true); Lambda serves APIs only. */
  console?: boolean;
}

/**
 * While closing, a response that finishes on a kept-alive connection would leave that connection
 * open and hold shutdown until it times out; `Connection: close` ends it with the response.
 */
function closeKeptAliveConnectionsOnShutdown(app: FastifyInstance): void {
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  // A callback hook, not an async one: it runs on every response, and a promise each is measurable (P1).
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) reply.header('connection', 'close');
    done(null, payload);
  });
}

export interface ServiceTask {
  service: string;
  task: BackgroundTask;
}

/** A mounted service: its module, its resolved resources and the instance the app built. */
export interface MountedService {
  service: ServiceModule;
  resources: ResolvedResources;
  instance: ServiceInstance;
}

const mountedByApp = new WeakMap<FastifyInstance, MountedService[]>();

/** The services an app mounted, for the runtime around it (local S3 events, seeding). */
export function mountedServicesOf(app: FastifyInstance): readonly MountedService[] {
  return mountedByApp.get(app) ?? [];
}

/** The background tasks of an app's services, to run by hand (tests, the CLI). */
export function backgroundTasksOf(app: FastifyInstance): ServiceTask[] {
  return mountedServicesOf(app).flatMap(({ service, instance }) =>
    (instance.tasks ?? []).map((task) => ({ service: service.name, task })),
  );
}

/** Background tasks start when the app is ready and stop, letting a run finish, before it closes. */
function runWithApp(app: FastifyInstance, tasks: BackgroundTask[], log: Logger): void {
  let running: RunningTasks | undefined;
  app.addHook('onReady', async () => {
    running = startBackgroundTasks(tasks, log);
  });
  app.addHook('preClose', async () => {
    await running?.stop();
  });
}

/**
 * One line per request, when it is answered: what Fastify splits over "incoming request" and "request
 * completed" (method and route, status, time), on one line. A route with `config.quietRequestLog`
 * (the health probes) writes none for a success, and a failed response is still an error line. Not a
 * route `logLevel`: that makes Fastify rebuild the log methods of every request's child logger.
 */
class OneLinePerRequest extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    if (this.isLogDisabled(request)) return;
    if (error) {
      reply.log.error(
        { req: request, res: reply, responseTime: reply.elapsedTime, err: error },
        'request errored',
      );
    } else if (!(request.routeOptions.config as QuietRoute).quietRequestLog) {
      reply.log.info({ req: request, res: reply, responseTime: reply.elapsedTime }, 'request completed');
    }
  }
}

interface QuietRoute {
  quietRequestLog?: boolean;
}

/**
 * A request whose client went away before the answer: without Fastify's "incoming request" line it
 * would leave no trace, so it gets a warning of its own, with the same fields.
 */
function logAbortedRequest(request: FastifyRequest, done: () => void): void {
  request.log.warn({ req: request }, 'request aborted');
  done();
}

/** One hook shared by every request (no closure made per request). */
function echoRequestId(request: FastifyRequest, reply: FastifyReply, done: () => void): void {
  reply.header('x-request-id', request.id);
  done();
}

/** The one HTTP app every runtime (npm start, container, Lambda) builds. */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { logger, services, context } = options;
  const app = Fastify({
    loggerInstance: logger.child({ service: 'platform' }) as FastifyBaseLogger,
    genReqId: requestIdFor,
    logController: new OneLinePerRequest({ requestIdLogLabel: 'requestId' }),
    bodyLimit: context.config.bodyLimitBytes,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    routerOptions,
    trustProxy: context.config.trustProxy,
    frameworkErrors: frameworkErrorProblem,
    schemaController,
    childLoggerFactory: requestLoggerFactory,
  });
  // Every route speaks JSON; text bodies get 415 rather than a confusing schema error.
  app.removeContentTypeParser('text/plain');
  registerStrictJsonParser(app);
  app.addHook('onRequest', echoRequestId);
  app.addHook('onRequestAbort', logAbortedRequest);
  closeKeptAliveConnectionsOnShutdown(app);
  registerProblemHandlers(app, trackAllowedMethods(app, routerOptions));
  await options.openApi?.(app);
  if (options.console ?? true) registerConsole(app);

  const resolved = services.map((service) => ({
    service,
    resources: resolveResources(context.config.stage, service.name, service.resources),
  }));
  registerHealthRoutes(app, [
    ...resourceChecks(
      context.aws,
      resolved.map((r) => r.resources),
    ),
    ...(options.extraReadinessChecks ?? []),
  ]);
  const mounted: MountedService[] = [];
  for (const { service, resources } of resolved) {
    const log = logger.child({ service: service.name });
    const instance = service.create({ ...context, resources, log });
    const routes = instance.routes;
    if (routes) {
      await app.register(async (scope) => {
        scope.setChildLoggerFactory((_platformLogger, bindings, childOptions, raw) =>
          requestLoggerFactory(log as FastifyBaseLogger, bindings, childOptions, raw),
        );
        await scope.register(routes);
      });
    }
    mounted.push({ service, resources, instance });
    const close = instance.close;
    if (close) app.addHook('onClose', async () => close());
  }
  mountedByApp.set(app, mounted);
  if (options.backgroundTasks ?? true) {
    runWithApp(
      app,
      backgroundTasksOf(app).map((t) => t.task),
      logger.child({ service: 'platform' }),
    );
  }
  if (options.extraRoutes) await app.register(options.extraRoutes);
  return app;
}
