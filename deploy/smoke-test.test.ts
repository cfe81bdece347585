import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../src/local/test-platform.js';
import { smokeTest } from './smoke-test.js';

/** The deploy workflow's smoke test, run against the real platform as deployed outputs would name it. */
let platform: TestPlatform;
let base: string;
beforeAll(async () => {
  platform = await startTestPlatform();
  base = `${await platform.app.listen({ port: 0, host: '127.0.0.1' })}/`;
});
afterAll(() => platform.stop());

const outputsFor = (url: string) =>
  Object.fromEntries(
    ['greetings', 'donations', 'orders', 'records'].map((service) => [
      `skiff-dev-${service}`,
      { ApiUrl: url },
    ]),
  );

describe('the post-deploy smoke test', () => {
  it('passes when every API answers its health check and a real route that reads its table', async () => {
    const result = await smokeTest({ ...outputsFor(base), 'skiff-dev-alerts': {} });
    expect(result.failures).toEqual([]);
    expect(result.checked).toHaveLength(8);
  });

  it("checks the console's page and CSP and the APIs under its origin, as the distribution serves them", async () => {
    const result = await smokeTest({ 'skiff-dev-console': { ConsoleUrl: base } });
    expect(result.failures).toEqual([]);
    expect(result.checked).toEqual([
      'skiff-dev-console /',
      'skiff-dev-console hello/smoketest',
      'skiff-dev-console healthcheck/',
    ]);
  });

  it('fails when the console page comes without its Content-Security-Policy', async () => {
    const bare = await platform.app.inject({ method: 'GET', url: '/' });
    const server = (await import('node:http')).createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html' }).end(bare.body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const result = await smokeTest({ 'skiff-dev-console': { ConsoleUrl: `http://127.0.0.1:${port}/` } });
    server.close();
    expect(result.failures[0]).toMatch(
      /^skiff-dev-console: GET http:\/\/127\.0\.0\.1:\d+\/ answered 200 \(text\/html\) without what it should carry$/,
    );
  });

  it('fails, naming the API, when one does not answer', async () => {
    const result = await smokeTest({
      ...outputsFor(base),
      'skiff-dev-orders': { ApiUrl: 'http://127.0.0.1:9/' },
    });
    expect(result.failures).toEqual([
      expect.stringMatching(/^skiff-dev-orders: GET http:\/\/127\.0\.0\.1:9\/healthz failed/),
      expect.stringMatching(/^skiff-dev-orders: GET http:\/\/127\.0\.0\.1:9\/orders\/smoke-test failed/),
    ]);
  });

  it('fails when the outputs name no API at all', async () => {
    expect((await smokeTest({ 'skiff-dev-alerts': {} })).failures).toEqual([
      'no ApiUrl or ConsoleUrl in the outputs: nothing was checked',
    ]);
  });
});
