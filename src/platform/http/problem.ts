import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { faultKind, isTransient } from '../aws/transient-error.js';
import type { AllowedMethods } from './allowed-methods.js';

/** RFC 9457 problem details, plus any legacy fields a brief's client expects (e.g. `error`). */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  [extension: string]: unknown;
}

export const problemContentType = 'application/problem+json';

/** Thrown by handlers for an expected failure; the error handler turns it into a problem response. */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    detail: string,
    readonly extensions: Record<string, unknown> = {},
    readonly type = 'about:blank',
  ) {
    super(detail);
    this.name = 'HttpProblem';
  }
}

export interface FieldError {
  field: string;
  message: string;
}

const validationType = 'urn:skiff:problem:validation';

/** A 400 naming each bad field, for rules a schema cannot express (e.g. "before today"). */
export function validationProblem(errors: FieldError[]): HttpProblem {
  return new HttpProblem(
    400,
    errors.map((e) => `${e.field} ${e.message}`).join('; '),
    { errors },
    validationType,
  );
}

/**
 * How long a client is told to wait after a 503: the SDK has already retried with backoff, so the
 * fault outlived a second or so; a client that waits one more before its own retry does not pile on.
 */
export const retryAfterSeconds = 1;

export function sendProblem(reply: FastifyReply, problem: Problem): FastifyReply {
  if (problem.status === 503) reply.header('retry-after', String(retryAfterSeconds));
  return reply.code(problem.status).type(problemContentType).send(problem);
}

/**
 * `instance` is the route's pattern (`/donors/:donorId`), never the path: a path carries usernames
 * and donor ids, which may be e-mail addresses. A request no route took has none.
 */
function problemFor(request: FastifyRequest, status: number, detail: string, extra: object = {}): Problem {
  const instance = request.is404 ? undefined : request.routeOptions.url;
  return {
    type: 'about:blank',
    title: STATUS_CODES[status] ?? 'Error',
    status,
    detail,
    ...(instance && { instance }),
    ...extra,
  };
}

/** One schema validator's issue, as Ajv and Fastify report it. */
export interface SchemaIssue {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message?: string;
}

/**
 * A property name the client chose, as an error may repeat it: only a plain identifier, since a
 * client may send a name or an e-mail address as a key, and error bodies carry no personal data.
 */
const plainName = (name: string) => (/^[A-Za-z0-9_-]{1,64}$/.test(name) ? name : undefined);

/**
 * What an issue says below its instance path: the property it names (a missing one, or an unknown
 * one when its name is plain) and its message, with a schema's own `x-message` first.
 */
export function issueParts(issue: SchemaIssue): { child?: string; message: string } {
  const { additionalProperty, missingProperty } = issue.params;
  if (additionalProperty !== undefined) {
    const child = plainName(String(additionalProperty));
    return child ? { child, message: 'is not allowed' } : { message: 'has a property that is not allowed' };
  }
  if (issue.keyword === 'required') return { child: String(missingProperty), message: 'is required' };
  const custom = (issue as { parentSchema?: { 'x-message'?: string } }).parentSchema?.['x-message'];
  return { message: custom ?? issue.message ?? 'is invalid' };
}

/** Names each failing field as `<part>.<path>` (`body.dateOfBirth`, `params.username`). */
export function fieldErrorsOf(part: string, issues: readonly SchemaIssue[]): FieldError[] {
  return issues.map((issue) => {
    const { child, message } = issueParts(issue);
    const path = [issue.instancePath.replace(/^\//, '').replaceAll('/', '.'), child]
      .filter(Boolean)
      .join('.');
    return { field: path ? `${part}.${path}` : part, message };
  });
}

/** The field errors of a request Fastify's validation refused. */
export const fieldErrors = (error: FastifyError): FieldError[] =>
  fieldErrorsOf(error.validationContext ?? 'request', (error.validation ?? []) as SchemaIssue[]);

/** Fastify's own wording, made specific where it says too little to act on. */
function clientErrorDetail(error: FastifyError, request: FastifyRequest): string {
  if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    // A route that takes more than JSON lists its types in its schema: OpenAPI's `content`, or `consumes`.
    const schema = request.routeOptions.schema as
      | { body?: { content?: object }; consumes?: string[] }
      | undefined;
    const declared = schema?.body?.content ? Object.keys(schema.body.content) : schema?.consumes;
    const takes = declared?.join(' or ') ?? 'application/json';
    // The media type alone, if it looks like one: the header is the client's text.
    const sent = /^[\w.+-]{1,64}\/[\w.+-]{1,64}/.exec(request.headers['content-type'] ?? '')?.[0];
    return `This route takes ${takes}, not ${sent ?? 'this content type'}.`;
  }
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return `The body is larger than the ${request.routeOptions.bodyLimit ?? 'configured'} bytes this route accepts.`;
  }
  return error.message;
}

/**
 * A multipart body the parser could not read. busboy's errors carry no status, so without this they
 * would be 500s; their wording is fixed text (never the body's content), mapped to what to fix.
 */
function malformedMultipart(error: Error): HttpProblem | undefined {
  // @fastify/multipart answers this one 406, though it is the body that is wrong, not the Accept header.
  if ((error as FastifyError).code === 'FST_INVALID_JSON_FIELD_ERROR') {
    return new HttpProblem(400, 'A form field typed application/json is not valid JSON.');
  }
  // A problem of ours says what it means already, even when its words match busboy's.
  if (error instanceof HttpProblem || (error as FastifyError).statusCode !== undefined) return undefined;
  const message = error.message;
  // busboy searches for the boundary with streamsearch, which refuses a needle over 256 bytes.
  if (/needle cannot have a length/i.test(message)) {
    return new HttpProblem(400, 'The multipart boundary is too long: RFC 2046 allows 70 characters.');
  }
  if (/boundary/i.test(message)) {
    return new HttpProblem(400, 'The multipart body has no boundary: its Content-Type must name one.');
  }
  if (/unexpected end of (multipart data|form)|terminated early/i.test(message)) {
    return new HttpProblem(
      400,
      'The multipart body ends inside a part: it was cut off before its closing boundary.',
    );
  }
  if (/malformed|header/i.test(message) && /part|multipart/i.test(message)) {
    return new HttpProblem(400, 'A part of the multipart body has malformed headers.');
  }
  return undefined;
}

/** The problem an error becomes: expected failures as they are, the rest logged and hidden. */
export function toProblem(error: FastifyError, request: FastifyRequest): Problem {
  const problem = error.validation
    ? validationProblem(fieldErrors(error))
    : (malformedMultipart(error) ?? error);
  if (problem instanceof HttpProblem) {
    return {
      ...problemFor(request, problem.status, problem.message, problem.extensions),
      type: problem.type,
    };
  }
  const status = error.statusCode !== undefined && error.statusCode >= 400 ? error.statusCode : 500;
  if (status < 500) {
    request.log.info({ code: error.code, status }, 'client error');
    return problemFor(request, status, clientErrorDetail(error, request));
  }
  if (error.statusCode === undefined && isTransient(error)) {
    // Throttling, a dropped connection or a timeout that outlived the SDK's retries: still an error
    // line (and a 5xx for the alarm), but a status that tells the client a retry may succeed.
    request.log.error({ err: error, fault: faultKind(error) }, 'dependency unavailable');
    return problemFor(
      request,
      503,
      'A service this API depends on is busy or unreachable. Try again in a moment.',
    );
  }
  request.log.error({ err: error }, 'unhandled error');
  return problemFor(request, status, 'The server could not complete the request.');
}

/**
 * A route error handler for a brief whose client reads one legacy field (`error`, `errorMessage`):
 * every problem gets it, set by the handler where it knows better, else the detail; an empty body
 * gets the brief's own wording.
 */
export function legacyErrorHandler(field: string, emptyBodyText: string) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const problem = toProblem(error, request);
    const fallback = error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' ? emptyBodyText : problem.detail;
    return sendProblem(reply, { ...problem, [field]: problem[field] ?? fallback });
  };
}

/** Problems for what fails before routing (Fastify's `frameworkErrors`): a bad URL, an over-long parameter. */
export function frameworkErrorProblem(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const tooLong = error.code === 'FST_ERR_MAX_PARAM_LENGTH';
  const status = tooLong ? 414 : 400;
  const detail = tooLong
    ? 'A path parameter is longer than this API accepts.'
    : error.code === 'FST_ERR_BAD_URL'
      ? 'The URL is not valid: a % must start a two-digit hexadecimal escape of UTF-8.'
      : 'The request could not be routed.';
  request.log.info({ code: error.code, status }, 'client error');
  reply.header('x-request-id', request.id);
  // No `instance`: the path is what could not be read, and is not echoed back.
  return sendProblem(reply, { type: 'about:blank', title: STATUS_CODES[status] ?? 'Error', status, detail });
}

/**
 * A request no route took, or that its route found nothing for: 404 when nothing is served at its
 * path for its method; else 405 with `Allow` (RFC 9110 §15.5.6), or for `OPTIONS` a 204 with
 * `Allow`, which is what that method asks for.
 */
function answerUnrouted(allowedMethods: AllowedMethods) {
  return (request: FastifyRequest, reply: FastifyReply) => {
    const served = allowedMethods(request.url);
    // A route that took the request may send it here itself (a console file the build did not write).
    if (served.length === 0 || served.includes(request.method)) {
      return sendProblem(reply, problemFor(request, 404, `No route takes ${request.method} at this path.`));
    }
    const allow = [...new Set([...served, 'OPTIONS'])].join(', ');
    reply.header('allow', allow);
    if (request.method === 'OPTIONS') return reply.code(204).send();
    return sendProblem(reply, problemFor(request, 405, `This path takes ${allow}; not ${request.method}.`));
  };
}

export function registerProblemHandlers(app: FastifyInstance, allowedMethods: AllowedMethods): void {
  app.setErrorHandler((error: FastifyError, request, reply) => sendProblem(reply, toProblem(error, request)));
  app.setNotFoundHandler(answerUnrouted(allowedMethods));
}
