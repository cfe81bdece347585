import type { FastifyPluginAsync } from 'fastify';
import type { LocalInbox } from '../platform/notify/local-inbox.js';
import type { ResolvedResources } from '../platform/resources.js';

export interface LocalRoutesOptions {
  endpoints: { dynamodb?: string; s3?: string };
  /** The records tenants `npm start` provisioned, keys included: this sandbox's own, to try the API with. */
  tenants: { id: string; timeZone: string; key: string }[];
  resources: Record<string, ResolvedResources>;
  inbox: LocalInbox;
}

const names = (entries: Record<string, { name: string }>) =>
  Object.fromEntries(Object.entries(entries).map(([id, { name }]) => [id, name]));

/** Local mode only: where the engines are, the tenants it made, and what the platform published. */
export function localRoutes({
  endpoints,
  tenants,
  resources,
  inbox,
}: LocalRoutesOptions): FastifyPluginAsync {
  const services = Object.entries(resources);
  const summary = {
    endpoints,
    tenants,
    tables: Object.fromEntries(services.map(([service, r]) => [service, names(r.tables)])),
    buckets: Object.fromEntries(services.map(([service, r]) => [service, names(r.buckets)])),
    topics: Object.fromEntries(services.map(([service, r]) => [service, names(r.topics)])),
  };
  return async (app) => {
    const common = { tags: ['local'], summary: 'Local mode only' };
    const object = { type: 'object', additionalProperties: true };
    app.get('/_local', { schema: { ...common, response: { 200: object } } }, async () => summary);
    app.get(
      '/_local/notifications',
      { schema: { ...common, response: { 200: { type: 'array', items: object } } } },
      async () => inbox.list(),
    );
  };
}
