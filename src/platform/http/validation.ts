import type { FastifySchemaCompiler, FastifySerializerCompiler, FastifyServerOptions } from 'fastify';
import { compileSerializer, compileValidator } from '../schema/compile.js';

/** A strict body validator for a handler that validates by itself (e.g. one form, two encodings). */
export function compileBodyValidator(schema: object) {
  return compileValidator('body', schema);
}

/**
 * Fastify's compilers are ours (`schema/compile.ts`): bodies checked strictly, and path, query and
 * headers, which arrive as text, coerced to the declared types. Given as the schema controller's
 * factories, so Fastify never loads its own Ajv and fast-json-stringify compilers.
 */
const validatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) =>
  compileValidator(httpPart === 'body' ? 'body' : 'coercing', schema as object);
const serializerCompiler: FastifySerializerCompiler<unknown> = ({ schema }) =>
  compileSerializer(schema as object);

// Fastify's types describe its Ajv compiler's own signature; at run time the factories' compilers get
// each route's definition ({ schema, method, url, httpPart | httpStatus }), as typed here.
export const schemaController = {
  compilersFactory: {
    buildValidator: () => validatorCompiler,
    buildSerializer: () => serializerCompiler,
  },
} as unknown as FastifyServerOptions['schemaController'];
