// P5's cold start, in a fresh Node process: load one Lambda bundle and, when given an event (argv[3],
// JSON), answer it. For an HTTP API that event is `GET /healthz`, which touches no AWS service, so what
// is timed is the bundle's load and the app's first build. Prints {"loadMs","firstEventMs","status"}.
// With a cache file (argv[4]) and a mode (argv[5]), the bundle is compiled from its source as a loader
// that ships a V8 code cache would (BENCH_CODE_CACHE=1; not deployed, see docs/performance.md):
// `make` writes the cache after the first event, so it holds every function the start compiled;
// `use` reads it, and fails when V8 rejects it.
const { performance } = require('node:perf_hooks');
const started = performance.now();
const [file, eventJson, cacheFile, mode] = process.argv.slice(2);

function withCodeCache() {
  const { readFileSync } = require('node:fs');
  const { Script } = require('node:vm');
  const { createRequire, wrap } = require('node:module');
  const { dirname } = require('node:path');
  const cachedData = mode === 'use' ? readFileSync(cacheFile) : undefined;
  const script = new Script(wrap(readFileSync(file, 'utf8')), { filename: file, cachedData });
  if (cachedData && script.cachedDataRejected) throw new Error(`V8 rejected the code cache ${cacheFile}`);
  const module = { exports: {} };
  script
    .runInThisContext()
    .call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
  return { handler: module.exports.handler, script };
}

const { handler, script } = cacheFile ? withCodeCache() : require(file);
const loaded = performance.now();
const event = eventJson && JSON.parse(eventJson);
const report = (firstEventMs, status) => {
  if (mode === 'make') require('node:fs').writeFileSync(cacheFile, script.createCachedData());
  process.stdout.write(JSON.stringify({ loadMs: loaded - started, firstEventMs, status }));
};
if (!event) report(0, null);
else handler(event, {}).then((answer) => report(performance.now() - loaded, answer.statusCode));
