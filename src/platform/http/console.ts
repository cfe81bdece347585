import { readdirSync, readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { FastifyInstance } from 'fastify';

/**
 * Where `npm install` (the `prepare` script, `web/build.mjs`) puts the built console: `web/dist` in
 * the working directory, the repository under `npm start` and `/app` in the container.
 */
const dist = new URL('web/dist/', pathToFileURL(`${process.cwd()}/`));

/**
 * The console's pages may load only their own scripts and styles, and talk only to this origin:
 * no inline script, no other host, no framing.
 */
export const consolePolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** The page names the current assets, so it is always revalidated; locally and on CloudFront alike. */
export const pageCacheControl = 'no-cache';
/** The assets' names change with their content, so a copy is good for ever. */
export const assetCacheControl = 'public, max-age=31536000, immutable';

const types: Record<string, string> = {
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
};

/**
 * Serves the web console at `/` when it was built: the page never cached (it names the current
 * assets), the assets cached for ever (their names change with their content). Only files the build
 * wrote are served, read once at start.
 */
export function registerConsole(app: FastifyInstance): boolean {
  let page: string;
  let names: string[];
  try {
    page = readFileSync(new URL('index.html', dist), 'utf8');
    names = readdirSync(new URL('assets/', dist));
  } catch {
    return false;
  }
  const assets = new Map(names.map((name) => [name, readFileSync(new URL(`assets/${name}`, dist))]));
  const hide = { schema: { hide: true } };
  app.get('/', hide, async (_request, reply) =>
    reply
      .header('content-security-policy', consolePolicy)
      .header('cache-control', pageCacheControl)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .type('text/html; charset=utf-8')
      .send(page),
  );
  app.get<{ Params: { name: string } }>('/assets/:name', hide, async (request, reply) => {
    const content = assets.get(request.params.name);
    if (!content) return reply.callNotFound();
    const extension = request.params.name.split('.').pop() ?? '';
    return reply
      .header('cache-control', assetCacheControl)
      .header('x-content-type-options', 'nosniff')
      .type(types[extension] ?? 'application/octet-stream')
      .send(content);
  });
  return true;
}
