/**
 * Every schema the platform compiles, compiled here: request validators (Ajv) and response
 * serializers (fast-json-stringify), each from options fixed in this file.
 *
 * This is what `npm start`, the container, tests and the Lambda workers run. The HTTP Lambda bundles
 * replace this module with one the build generated (`infra/precompiled-schemas.ts`): the same
 * functions, compiled ahead by this very code, so a cold start compiles nothing and its bundle holds
 * neither Ajv nor fast-json-stringify (decision 0016).
 */
import { Ajv, type Options, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import fastJsonStringify from 'fast-json-stringify';
import { schemaKey } from './schema-key.js';

/**
 * Bodies are checked strictly: no type coercion, and unknown properties rejected rather than
 * silently dropped.
 */
const bodyOptions = {
  allErrors: true,
  coerceTypes: false,
  removeAdditional: false,
  useDefaults: true,
  verbose: true,
  strict: true,
  // Our schemas are fixed in code and compiled in every test run; checking each against the JSON
  // Schema meta-schema first would compile that meta-schema on every cold start (about 40 ms).
  validateSchema: false,
  // Lets a schema give a friendlier message than the keyword's own (see fieldErrors).
  keywords: ['x-message'],
} satisfies Options;

/** The validators, by name: each name is one set of Ajv options. */
const validatorOptions = {
  body: bodyOptions,
  /** Path, query and headers arrive as text: coerced to the declared types, otherwise as bodies. */
  coercing: { ...bodyOptions, coerceTypes: true },
} satisfies Record<string, Options>;

export type ValidatorName = keyof typeof validatorOptions;

/** Build time only (`infra/record-schemas.ts`): told of each schema compiled, to write its code into a bundle. */
export interface CompileObserver {
  validator(key: string, ajv: Ajv, validate: ValidateFunction): void;
  serializer(key: string, schema: object): void;
}

let observer: CompileObserver | undefined;
const instances = new Map<ValidatorName, Ajv>();

/** Tells `observe` of every later compile, its validators built to keep their source. */
export function observeCompiles(observe: CompileObserver): void {
  observer = observe;
  instances.clear();
}

function ajvFor(name: ValidatorName): Ajv {
  let ajv = instances.get(name);
  if (!ajv) {
    // Standalone code needs the source kept; it changes nothing the validator does.
    ajv = new Ajv({ ...validatorOptions[name], ...(observer && { code: { source: true } }) });
    addFormats.default(ajv);
    instances.set(name, ajv);
  }
  return ajv;
}

/** The validator of `schema` with the named options. */
export function compileValidator<T = unknown>(name: ValidatorName, schema: object): ValidateFunction<T> {
  const ajv = ajvFor(name);
  const validate = ajv.compile<T>(schema);
  observer?.validator(schemaKey(name, schema), ajv, validate);
  return validate;
}

/** The serializer of `schema`, as Fastify's own response serializer compiles it (no options). */
export function compileSerializer(schema: object): (data: unknown) => string {
  observer?.serializer(schemaKey('serializer', schema), schema);
  return fastJsonStringify(schema);
}
