import { fileURLToPath } from 'node:url';

/**
 * Node 22.1 and later keep V8's compiled code of every module they load, node_modules included, in
 * a folder, checked against each file's content: the next `npm start` skips compiling them (P6 on
 * Node 24: about 0.1–0.25 s off 1.8–2.3 s, docs/performance.md). NODE_COMPILE_CACHE carries
 * the folder to the processes the platform forks (the embedded DynamoDB). A folder the user chose is
 * kept, and NODE_DISABLE_COMPILE_CACHE=1 turns it off; Node 20 has no such cache, so there this
 * does nothing. Gives Node's answer (undefined on Node 20).
 */
export function enableCompileCache(moduleApi, env = process.env) {
  if (!moduleApi.enableCompileCache) return undefined;
  env.NODE_COMPILE_CACHE ??= fileURLToPath(new URL('../.skiff/compile-cache/', import.meta.url));
  return moduleApi.enableCompileCache(env.NODE_COMPILE_CACHE);
}
