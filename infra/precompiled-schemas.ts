/**
 * The schemas of a Lambda, compiled at build time (decision 0016). The entry is run once in a
 * process of its own with every compile observed (`infra/record-schemas.ts`); the standalone code
 * of each validator and serializer becomes a module that takes the place of
 * `src/platform/schema/compile.ts` in the bundle. Its functions are the ones `npm start` compiles at
 * run time, from the same schemas with the same options: only when they are compiled differs.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Plugin } from 'esbuild';
import type { LambdaEntry } from './lambda-bundling.js';

const repositoryRoot = fileURLToPath(new URL('..', import.meta.url));
const schemaFolder = join(repositoryRoot, 'src', 'platform', 'schema');

const recordingTimeoutMs = 60_000;

/** Every schema `entry` compiles, as standalone CommonJS code by key (`schemaKey`). */
export async function recordSchemas({ entry, kind }: LambdaEntry): Promise<Record<string, string>> {
  const folder = await mkdtemp(join(tmpdir(), 'skiff-schemas-'));
  try {
    const out = join(folder, 'schemas.json');
    await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'infra/record-schemas.ts', entry, kind, out],
      // The entry must answer without AWS: one that waits on a service fails the build, never hangs it.
      { cwd: repositoryRoot, timeout: recordingTimeoutMs },
    );
    return JSON.parse(await readFile(out, 'utf8'));
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

/**
 * The module that replaces `compile.ts`: the same exports, each compile a look-up of the function
 * built ahead. Each function's code runs on first look-up, with `module` and `exports` of its own; its
 * `require` calls (Ajv's runtime helpers, the formats, fast-json-stringify's serializer) are bundled.
 */
export function precompiledModule(codes: Record<string, string>): string {
  const factories = Object.entries(codes).map(
    ([key, code]) =>
      `  ${JSON.stringify(key)}: () => {\n    const module = { exports: {} };\n    (function (module, exports) {\n${code}\n    })(module, module.exports);\n    return module.exports;\n  },`,
  );
  return `import { schemaKey } from './schema-key.ts';

const factories = {
${factories.join('\n')}
};
const built = new Map();

function precompiled(key) {
  let compiled = built.get(key);
  if (compiled === undefined) {
    const make = factories[key];
    if (!make) {
      throw new Error(key + ': this schema was not compiled into the bundle (a schema must not depend on settings); rebuild it');
    }
    compiled = make();
    built.set(key, compiled);
  }
  return compiled;
}

export const compileValidator = (name, schema) => precompiled(schemaKey(name, schema));
export const compileSerializer = (schema) => precompiled(schemaKey('serializer', schema));
`;
}

/**
 * The esbuild plugin of every Lambda bundle: `compile.ts` becomes the precompiled module, and
 * Fastify's own compilers, which it loads only when not given ours (`schemaController`), are left out.
 */
export function precompiledSchemasPlugin(codes: Record<string, string>): Plugin {
  return {
    name: 'skiff-precompiled-schemas',
    setup(build) {
      build.onLoad({ filter: /[\\/]src[\\/]platform[\\/]schema[\\/]compile\.ts$/ }, () => ({
        contents: precompiledModule(codes),
        loader: 'js',
        resolveDir: schemaFolder,
      }));
      build.onResolve({ filter: /^@fastify\/(ajv-compiler|fast-json-stringify-compiler)$/ }, (args) => ({
        path: args.path,
        namespace: 'skiff-left-out',
      }));
      build.onLoad({ filter: /.*/, namespace: 'skiff-left-out' }, (args) => ({
        contents: `throw new Error(${JSON.stringify(`${args.path} is not in this bundle: its schemas are precompiled`)});`,
        loader: 'js',
      }));
    },
  };
}
