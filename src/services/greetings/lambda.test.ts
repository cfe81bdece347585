import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpApiEvent } from '../../local/api-gateway-event.js';
import { lambdaEnvironment, startTestPlatform, type TestPlatform } from '../../local/test-platform.js';
import { createHttpApiHandler, type HttpApiHandler } from '../../platform/lambda-http.js';
import { greetingsService } from './service.js';

const lambdaContext = { awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef' } as Context;

let platform: TestPlatform;
let lambda: ReturnType<typeof lambdaEnvironment>;
let handler: HttpApiHandler;

beforeAll(async () => {
  platform = await startTestPlatform();
  lambda = lambdaEnvironment(platform);
  handler = createHttpApiHandler([greetingsService], lambda.env);
});
afterAll(async () => {
  lambda.restore();
  await platform.stop();
});

describe('greetings on Lambda behind an HTTP API', () => {
  it('saves and greets through API Gateway v2 events, against real DynamoDB calls', async () => {
    const saved = await handler(
      httpApiEvent('PUT', '/hello/ada', { dateOfBirth: '1815-12-10' }),
      lambdaContext,
    );
    expect(saved.statusCode).toBe(204);

    const greeted = await handler(httpApiEvent('GET', '/hello/ada'), lambdaContext);
    expect(greeted.statusCode).toBe(200);
    expect(greeted.headers?.['content-type']).toMatch(/application\/json/);
    expect(JSON.parse(greeted.body)).toEqual({ message: expect.stringMatching(/^Hello, ada! /) });

    // The Lambda wrote to the same table the local platform reads.
    const local = await platform.app.inject({ method: 'GET', url: '/hello/ada' });
    expect(local.json()).toEqual(JSON.parse(greeted.body));
  });

  it('answers bad input with a 400 problem', async () => {
    const response = await handler(httpApiEvent('PUT', '/hello/ada', { dateOfBirth: 'soon' }), lambdaContext);
    expect(response.statusCode).toBe(400);
    expect(response.headers?.['content-type']).toMatch(/application\/problem\+json/);
    expect(JSON.parse(response.body)).toMatchObject({ status: 400, errors: [{ field: 'body.dateOfBirth' }] });
  });

  it('answers an unknown route with a 404 problem', async () => {
    const response = await handler(httpApiEvent('GET', '/nope'), lambdaContext);
    expect(response.statusCode).toBe(404);
  });
});
