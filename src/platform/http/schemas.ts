import * as Type from 'typebox';

/*
 * Response schemas spell a choice of strings as `enum` and "or null" as a list of types, never as
 * TypeBox's `anyOf` of literals or of a type and `Type.Null()`: for each `anyOf`, fast-json-stringify
 * compiles an Ajv validator per branch and runs them on every value it writes, and a Lambda bundle
 * ships their code (orders' run list: 30 KB of it). The JSON Schema, and OpenAPI 3.1, mean the same.
 */

/** One of `values`, as `{ type: 'string', enum }`. */
export const StringEnum = <const T extends readonly string[]>(values: T, options: Type.TSchemaOptions = {}) =>
  Type.Unsafe<T[number]>({ ...options, type: 'string', enum: [...values] });

/** `schema` or null, as `type: [its type, 'null']`. For a schema with one `type`. */
export const OrNull = <T extends Type.TSchema & { type: string }>(
  schema: T,
  options: Type.TSchemaOptions = {},
) => Type.Unsafe<Type.Static<T> | null>({ ...schema, ...options, type: [schema.type, 'null'] });

/** RFC 9457 problem details as documented in OpenAPI; extensions (`errors`, legacy fields) pass through. */
export const ProblemSchema = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.Optional(Type.String()),
    instance: Type.Optional(Type.String()),
    errors: Type.Optional(Type.Array(Type.Object({ field: Type.String(), message: Type.String() }))),
  },
  { additionalProperties: true, description: 'RFC 9457 problem details (application/problem+json)' },
);
