import type { APIGatewayProxyEventV2 } from 'aws-lambda';

/** An API Gateway HTTP API (payload 2.0) event, as AWS sends it. */
export function httpApiEvent(method: string, path: string, body?: unknown): APIGatewayProxyEventV2 {
  const json = body === undefined ? undefined : JSON.stringify(body);
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: '',
    headers: {
      accept: '*/*',
      'content-length': String(json?.length ?? 0),
      ...(json && { 'content-type': 'application/json' }),
      host: 'abc123.execute-api.eu-west-1.amazonaws.com',
      'user-agent': 'curl/8.5.0',
      'x-amzn-trace-id': 'Root=1-67890abc-1234567890abcdef12345678',
      'x-forwarded-for': '203.0.113.7',
      'x-forwarded-port': '443',
      'x-forwarded-proto': 'https',
    },
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123',
      domainName: 'abc123.execute-api.eu-west-1.amazonaws.com',
      domainPrefix: 'abc123',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'curl/8.5.0' },
      requestId: 'JgQ2xjS9DoEEMTw=',
      routeKey: '$default',
      stage: '$default',
      time: '21/Nov/2026:09:30:00 +0000',
      timeEpoch: 1795253400000,
    },
    body: json,
    isBase64Encoded: false,
  };
}
