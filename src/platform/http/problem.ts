import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

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

export function sendProblem(reply: FastifyReply, problem: Problem): FastifyReply {
  return reply.code(problem.status).type(problemContentType).send(problem);
}

function problemFor(request: FastifyRequest, status: number, detail: string, extra: object = {}): Problem {
  return {
    type: 'about:blank',
    title: STATUS_CODES[status] ?? 'Error',
    status,
    detail,
    instance: request.url.split('?')[0],
    ...extra,
  };
}

/** Names each failing field as `<part>.<path>` (`body.dateOfBirth`, `params.username`). */
export function fieldErrors(error: FastifyError): FieldError[] {
  const part = error.validationContext ?? 'request';
  return (error.validation ?? []).map((issue) => {
    const params = issue.params as Record<string, unknown>;
    const child = (params.missingProperty ?? params.additionalProperty) as string | undefined;
    const path = [issue.instancePath.replace(/^\//, '').replaceAll('/', '.'), child]
      .filter(Boolean)
      .join('.');
    const custom = (issue as { parentSchema?: { 'x-message'?: string } }).parentSchema?.['x-message'];
    const message =
      params.additionalProperty !== undefined
        ? 'is not allowed'
        : issue.keyword === 'required'
          ? 'is required'
          : (custom ?? issue.message ?? 'is invalid');
    return { field: path ? `${part}.${path}` : part, message };
  });
}

/** Fastify's own wording, made specific where it says too little to act on. */
function clientErrorDetail(error: FastifyError, request: FastifyRequest): string {
  if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return `This route takes application/json, not ${request.headers['content-type'] ?? 'an unnamed type'}.`;
  }
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return `The body is larger than the ${request.routeOptions.bodyLimit ?? 'configured'} bytes this route accepts.`;
  }
  return error.message;
}

/** The problem an error becomes: expected failures as they are, the rest logged and hidden. */
export function toProblem(error: FastifyError, request: FastifyRequest): Problem {
  const problem = error.validation ? validationProblem(fieldErrors(error)) : error;
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

export function registerProblemHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => sendProblem(reply, toProblem(error, request)));

  app.setNotFoundHandler((request, reply) =>
    sendProblem(
      reply,
      problemFor(request, 404, `No route for ${request.method} ${request.url.split('?')[0]}`),
    ),
  );
}
