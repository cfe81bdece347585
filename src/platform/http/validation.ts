import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';

/**
 * Two validators: bodies are checked strictly (no type coercion, unknown properties rejected rather
 * than silently dropped), while path, query and headers, which arrive as text, are coerced to the
 * declared types.
 */
function createAjv(coerceTypes: boolean): Ajv {
  const ajv = new Ajv({
    allErrors: true,
    coerceTypes,
    removeAdditional: false,
    useDefaults: true,
    verbose: true,
    strict: true,
    // Our schemas are fixed in code and compiled in every test run; checking each against the JSON
    // Schema meta-schema first would compile that meta-schema on every cold start (about 40 ms).
    validateSchema: false,
    // Lets a schema give a friendlier message than the keyword's own (see fieldErrors).
    keywords: ['x-message'],
  });
  addFormats.default(ajv);
  return ajv;
}

/** A strict body validator for a handler that validates by itself (e.g. one form, two encodings). */
export function compileBodyValidator(schema: object) {
  return createAjv(false).compile(schema);
}

export function createValidatorCompiler(): FastifySchemaCompiler<unknown> {
  const strict = createAjv(false);
  const coercing = createAjv(true);
  return ({ schema, httpPart }) => (httpPart === 'body' ? strict : coercing).compile(schema as object);
}
