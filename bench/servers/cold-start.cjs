// P5's cold start, in a fresh Node process: load one Lambda bundle and answer one API Gateway (HTTP
// API, payload 2.0) event for GET /healthz, which touches no AWS service, so what is timed is the
// bundle's load and the app's first build. Prints {"loadMs","firstEventMs","status"} on stdout.
const { performance } = require('node:perf_hooks');
const started = performance.now();
const { handler } = require(process.argv[2]);
const loaded = performance.now();
const event = {
  version: '2.0',
  routeKey: '$default',
  rawPath: '/healthz',
  rawQueryString: '',
  headers: { host: 'example.execute-api.eu-west-1.amazonaws.com' },
  requestContext: {
    http: {
      method: 'GET',
      path: '/healthz',
      protocol: 'HTTP/1.1',
      sourceIp: '192.0.2.1',
      userAgent: 'bench',
    },
    requestId: 'cold-start',
  },
  isBase64Encoded: false,
};
handler(event, {}).then((answer) => {
  const answered = performance.now();
  process.stdout.write(
    JSON.stringify({ loadMs: loaded - started, firstEventMs: answered - loaded, status: answer.statusCode }),
  );
});
