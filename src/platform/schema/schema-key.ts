import { createHash } from 'node:crypto';

/**
 * A compiled schema's name: which compiler (and so which options) and what the schema says. The
 * build names each precompiled function this way, and a bundle finds it again by the same name, so a
 * schema is matched by its content wherever in the code it is compiled.
 */
export function schemaKey(compiler: string, schema: unknown): string {
  const digest = createHash('sha256').update(JSON.stringify(schema)).digest('base64url').slice(0, 22);
  return `${compiler}:${digest}`;
}
