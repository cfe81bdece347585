import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HttpProblem } from './problem.js';

/**
 * Request bodies are UTF-8 text, read strictly. Fastify decodes a body with `toString('utf8')`, which
 * turns bytes that are not UTF-8 (a Latin-1 `é`, a cp1252 quote) into U+FFFD and stores the name
 * `Jos�` without a word; and it ignores a `charset` parameter. Here such a body is a 400, and a
 * charset other than UTF-8 a 415, before anything reads it.
 */
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The charsets that are UTF-8 text as sent (US-ASCII is a subset). */
const utf8Charsets = new Set(['utf-8', 'utf8', 'us-ascii']);

function refuseOtherCharsets(request: FastifyRequest): void {
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(request.headers['content-type'] ?? '')?.[1];
  if (charset !== undefined && !utf8Charsets.has(charset.toLowerCase())) {
    throw new HttpProblem(415, 'Send the body as UTF-8 text (charset=utf-8).');
  }
}

/** The body as text, or a 400 when its bytes are not UTF-8. A leading byte-order mark is dropped. */
export function bodyText(request: FastifyRequest, body: Buffer): string {
  refuseOtherCharsets(request);
  try {
    return utf8.decode(body);
  } catch {
    throw new HttpProblem(400, 'The body is not valid UTF-8 text.');
  }
}

/** JSON bodies through Fastify's own parser (its proto-poisoning checks), after a strict decode. */
export function registerStrictJsonParser(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  // A parser that throws is answered with its error: Fastify calls it inside a try.
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) =>
    parseJson(request, bodyText(request, body as Buffer), done),
  );
}

/**
 * An `application/x-www-form-urlencoded` body as fields; a repeated field keeps its last value. A
 * percent-escape that is not UTF-8 (`%E9` for a Latin-1 `é`) is a 400, where URLSearchParams would
 * put U+FFFD in its place.
 */
export function parseUrlEncodedForm(request: FastifyRequest, body: Buffer): Record<string, string> {
  const pairs = bodyText(request, body)
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => {
      const at = pair.indexOf('=');
      const [name, value] = at < 0 ? [pair, ''] : [pair.slice(0, at), pair.slice(at + 1)];
      return [formDecode(name), formDecode(value)];
    });
  // fromEntries defines each field, `__proto__` included, where an assignment would set a prototype.
  return Object.fromEntries(pairs);
}

function formDecode(text: string): string {
  try {
    return decodeURIComponent(text.replaceAll('+', ' '));
  } catch {
    throw new HttpProblem(
      400,
      'The form has an escape that is not UTF-8 or not complete (a % must start %XX).',
    );
  }
}
