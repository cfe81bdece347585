import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { correlated } from './lambda-http.js';

const event = (headers: Record<string, string>) =>
  ({ headers, requestContext: { requestId: 'JKJaXmPLvHcESHA=' } }) as unknown as APIGatewayProxyEventV2;
const trace = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';

describe('correlated', () => {
  it("makes API Gateway's request id the request id when the caller sent none", () => {
    expect(correlated(event({}), {}).headers['x-request-id']).toBe('JKJaXmPLvHcESHA=');
  });

  it("keeps the caller's safe X-Request-Id, and replaces an unsafe one", () => {
    expect(correlated(event({ 'x-request-id': 'mine-1' }), {}).headers['x-request-id']).toBe('mine-1');
    expect(correlated(event({ 'x-request-id': 'bad id\n' }), {}).headers['x-request-id']).toBe(
      'JKJaXmPLvHcESHA=',
    );
  });

  it("passes the invocation's X-Ray trace on, unless the request carries one", () => {
    expect(correlated(event({}), { _X_AMZN_TRACE_ID: trace }).headers['x-amzn-trace-id']).toBe(trace);
    expect(
      correlated(event({ 'x-amzn-trace-id': 'Root=x' }), { _X_AMZN_TRACE_ID: trace }).headers[
        'x-amzn-trace-id'
      ],
    ).toBe('Root=x');
  });
});
