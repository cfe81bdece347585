import type { FastifyInstance, HTTPMethods } from 'fastify';
import FindMyWay from 'find-my-way';

/** Which methods have a route at a concrete path (query string and all), in a stable order. */
export type AllowedMethods = (url: string) => string[];

/** The order `Allow` lists them in; a method outside it (none today) comes after, as added. */
const order = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
const rank = (method: string) => order.indexOf(method) >>> 0;

const noop = () => undefined;

/**
 * Records every route the app adds, in a router of its own, so that a request no route took can be
 * told apart: a path nothing serves (404) from a path served for other methods (405 with `Allow`,
 * RFC 9110 §15.5.6). Fastify's router only answers "this method at this path", and finds routes by
 * their pattern, not by a concrete path. Must be called before any route is added, with the
 * router options the app was built with, so both routers match a path alike.
 */
export function trackAllowedMethods(
  app: FastifyInstance,
  routerOptions: FindMyWay.Config<FindMyWay.HTTPVersion.V1>,
): AllowedMethods {
  const router = FindMyWay(routerOptions);
  const methods: FindMyWay.HTTPMethod[] = [];
  app.addHook('onRoute', ({ method, url, routePath, prefix, prefixTrailingSlash }) => {
    // A plugin's `/` under a prefix is served at `/docs` and `/docs/`, but the hook hears of the first.
    const bothSlashes = routePath === '' && prefix !== '' && (prefixTrailingSlash ?? 'both') === 'both';
    const urls = bothSlashes ? [url, `${url}/`] : [url];
    // Fastify's method type names one (QUERY) that find-my-way's leaves out; its router takes it alike.
    for (const m of ([] as HTTPMethods[]).concat(method) as FindMyWay.HTTPMethod[]) {
      for (const path of urls) {
        // Fastify adds a HEAD route for each GET unless one exists; this router sees both attempts.
        if (!router.hasRoute(m, path)) router.on(m, path, noop);
      }
      if (!methods.includes(m)) methods.push(m);
      methods.sort((a, b) => rank(a) - rank(b));
    }
  });
  return (url) => methods.filter((m) => router.find(m, url) !== null);
}
