import type { FastifyPluginAsync } from 'fastify';
import type { AwsClients } from './aws/clients.js';
import type { Config } from './config.js';
import type { ResolvedResources, ServiceResources } from './resources.js';

/** What the platform hands a service: its dependencies, never module-level singletons. */
export interface ServiceContext<R extends ServiceResources = ServiceResources> {
  config: Config;
  aws: AwsClients;
  /** This service's own tables and buckets, with their physical names. */
  resources: ResolvedResources<R>;
  clock: () => Date;
}

/** A service as the platform sees it: a name, what it needs from AWS, and its routes. */
export interface ServiceModule<R extends ServiceResources = ServiceResources> {
  name: string;
  resources: R;
  routes(context: ServiceContext<R>): FastifyPluginAsync;
}
