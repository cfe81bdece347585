/**
 * Build time, in a process of its own:
 * `node --import tsx infra/record-schemas.ts <entry> <http|worker> <out.json>`.
 * Loads one Lambda entry as Lambda would, with every compile observed (`observeCompiles`): its
 * modules compile their schemas as they load (the configuration's, a handler's own body validator).
 * An HTTP entry is also sent one `GET /healthz`, which builds its app, every route's schemas with it,
 * and calls no AWS service. Writes each compiled schema's standalone code, by its key, to `out.json`.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Ajv, ValidateFunction } from 'ajv';
import standaloneCode from 'ajv/dist/standalone/index.js';
import fastJsonStringify from 'fast-json-stringify';
import { healthCheckEvent, lambdaBuildEnvironment } from './lambda-build-environment.js';

const [entry, kind, out] = process.argv.slice(2);
if (!entry || !kind || !out) throw new Error('usage: record-schemas.ts <entry> <http|worker> <out.json>');

Object.assign(process.env, lambdaBuildEnvironment);
const codes: Record<string, string> = {};
const { observeCompiles } = await import('../src/platform/schema/compile.js');
observeCompiles({
  validator: (key: string, ajv: Ajv, validate: ValidateFunction) => {
    codes[key] = standaloneCode.default(ajv, validate);
  },
  serializer: (key: string, schema: object) => {
    // Validators inlined: the code needs no Ajv to choose between anyOf's branches.
    codes[key] = fastJsonStringify(schema, {
      mode: 'standalone',
      inlineValidators: true,
    }) as unknown as string;
  },
});
const { handler } = await import(pathToFileURL(resolve(entry)).href);
if (kind === 'http') {
  const answer = await handler(healthCheckEvent, {});
  if (answer.statusCode !== 200) throw new Error(`${entry}: GET /healthz answered ${answer.statusCode}`);
}
writeFileSync(out, JSON.stringify(codes));
