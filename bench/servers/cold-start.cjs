// P5's cold start, in a fresh Node process: load one Lambda bundle and, when given an event (argv[3],
// JSON), answer it. For an HTTP API that event is `GET /healthz`, which touches no AWS service, so what
// is timed is the bundle's load and the app's first build. Prints {"loadMs","firstEventMs","status"}.
const { performance } = require('node:perf_hooks');
const started = performance.now();
const { handler } = require(process.argv[2]);
const loaded = performance.now();
const event = process.argv[3] && JSON.parse(process.argv[3]);
const report = (firstEventMs, status) =>
  process.stdout.write(JSON.stringify({ loadMs: loaded - started, firstEventMs, status }));
if (!event) report(0, null);
else handler(event, {}).then((answer) => report(performance.now() - loaded, answer.statusCode));
