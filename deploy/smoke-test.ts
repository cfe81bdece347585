/**
 * After a deploy: every API in the stack outputs (`cdk deploy --outputs-file`) answers its health
 * check and one real route that reaches its table, and the console's distribution serves the page
 * under its CSP and routes the APIs under its own origin. Exits non-zero on a failure, naming it.
 *
 *   npx tsx deploy/smoke-test.ts outputs.json
 */
import { readFileSync } from 'node:fs';
import { consolePolicy } from '../src/platform/http/console.js';

type Outputs = Record<string, Record<string, string>>;

interface Check {
  path: string;
  status: number;
  /** What the answer must contain. */
  expect: (body: string, headers: Headers) => boolean;
}

const isProblem = (_body: string, headers: Headers) =>
  (headers.get('content-type') ?? '').startsWith('application/problem+json');

/** One real route per service: an unknown key is read from the table and answered as a 404 problem. */
const realRoutes: Record<string, Check> = {
  greetings: { path: 'hello/smoketest', status: 404, expect: isProblem },
  donations: { path: 'donors/smoke-test', status: 404, expect: isProblem },
  orders: { path: 'orders/smoke-test', status: 404, expect: isProblem },
  records: { path: 'healthcheck/', status: 200, expect: (body) => body === '[{"status":"ok"}]' },
};
const health: Check = { path: 'healthz', status: 200, expect: (body) => body.includes('"ok"') };

/** Through the console's distribution: the page under its CSP, and two services' APIs on its origin. */
const consoleChecks: Check[] = [
  {
    path: '',
    status: 200,
    expect: (body, headers) =>
      body.includes('<main id="view"') && headers.get('content-security-policy') === consolePolicy,
  },
  realRoutes.greetings as Check,
  realRoutes.records as Check,
];

async function run(base: string, check: Check): Promise<string | undefined> {
  const url = new URL(check.path, base.endsWith('/') ? base : `${base}/`);
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    const body = await response.text();
    const contentType = response.headers.get('content-type') ?? '';
    if (response.status !== check.status) {
      return `GET ${url} answered ${response.status} (${contentType}), expected ${check.status}`;
    }
    if (!check.expect(body, response.headers)) {
      return `GET ${url} answered ${response.status} (${contentType}) without what it should carry`;
    }
    return undefined;
  } catch (error) {
    return `GET ${url} failed: ${(error as Error).message}`;
  }
}

/** The checks a stack's outputs call for, against the URL they name. */
function checksOf(stack: string, values: Record<string, string>): { base: string; checks: Check[] }[] {
  const service = stack.replace(/^skiff-[a-z]+-/, '');
  const route = realRoutes[service];
  return [
    ...(values.ApiUrl ? [{ base: values.ApiUrl, checks: route ? [health, route] : [health] }] : []),
    ...(values.ConsoleUrl ? [{ base: values.ConsoleUrl, checks: consoleChecks }] : []),
  ];
}

/** The failures, if any, of every deployed API's checks and the console's. */
export async function smokeTest(outputs: Outputs): Promise<{ checked: string[]; failures: string[] }> {
  const checked: string[] = [];
  const failures: string[] = [];
  for (const [stack, values] of Object.entries(outputs)) {
    for (const { base, checks } of checksOf(stack, values)) {
      for (const check of checks) {
        checked.push(`${stack} ${check.path || '/'}`);
        const failure = await run(base, check);
        if (failure) failures.push(`${stack}: ${failure}`);
      }
    }
  }
  if (checked.length === 0) failures.push('no ApiUrl or ConsoleUrl in the outputs: nothing was checked');
  return { checked, failures };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const file = process.argv[2] ?? 'outputs.json';
  const { checked, failures } = await smokeTest(JSON.parse(readFileSync(file, 'utf8')) as Outputs);
  for (const line of checked) console.log(`checked ${line}`);
  for (const line of failures) console.error(`FAILED ${line}`);
  process.exitCode = failures.length > 0 ? 1 : 0;
}
