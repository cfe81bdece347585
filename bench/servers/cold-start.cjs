// P5's cold start, in a fresh Node process: load one Lambda bundle and, when given an event (argv[3],
// JSON; '' for none), answer it. For an HTTP API that event is `GET /healthz`, which touches no AWS
// service, so what is timed is the bundle's load and the app's first build. Prints
// {"loadMs","firstEventMs","status"}.
// argv[4], the way the bundle is loaded: `require` (the default, as Lambda's runtime does), or, for
// BENCH_CODE_CACHE=1 (not deployed, see docs/performance.md), compiled from its source as a loader
// that ships a V8 code cache would: `source` with no cache (the like-for-like side), `make` writing
// the cache to argv[5] after the first event, `use` starting from it and failing when V8 rejects it.
const { performance } = require('node:perf_hooks');
const started = performance.now();
const [file, eventJson, mode = 'require', cacheFile] = process.argv.slice(2);
const modes = ['require', 'source', 'make', 'use'];
if (!modes.includes(mode)) throw new Error(`the loading mode is one of ${modes.join(', ')}, not ${mode}`);
if ((mode === 'make' || mode === 'use') && !cacheFile) throw new Error(`${mode} needs a cache file`);

function fromSource() {
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

const { handler, script } = mode === 'require' ? require(file) : fromSource();
const loaded = performance.now();
const event = eventJson ? JSON.parse(eventJson) : undefined;
const report = (firstEventMs, status) => {
  if (mode === 'make') require('node:fs').writeFileSync(cacheFile, script.createCachedData());
  process.stdout.write(JSON.stringify({ loadMs: loaded - started, firstEventMs, status }));
};
if (!event) report(0, null);
else handler(event, {}).then((answer) => report(performance.now() - loaded, answer.statusCode));
