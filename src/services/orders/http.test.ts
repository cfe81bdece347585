import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../../local/test-platform.js';

let now = new Date('2026-11-21T10:00:00Z');
let platform: TestPlatform;
beforeAll(async () => {
  platform = await startTestPlatform({ clock: () => now, env: { SERVICES: 'orders' } });
});
afterAll(() => platform.stop());

const example = [
  { record_id: 'unique_id_1', parameter_1: 'abc', parameter_2: 4 },
  { record_id: 'unique_id_2', parameter_1: 'def', parameter_2: 2.1 },
];
const post = (payload: unknown) =>
  platform.app.inject({ method: 'POST', url: '/orders', payload: payload as object });
const get = (id: string) => platform.app.inject({ method: 'GET', url: `/orders/${encodeURIComponent(id)}` });

const fixture = (name: string) => readFileSync(new URL(`./fixtures/entrix/${name}`, import.meta.url), 'utf8');

describe('POST /orders', () => {
  it("stores the brief's example file as sent, and answers its literal text (trailing commas) with a 400", async () => {
    const headers = { 'content-type': 'application/json' };
    const valid = await platform.app.inject({
      method: 'POST',
      url: '/orders',
      headers,
      payload: fixture('post-orders.valid.json'),
    });
    expect(valid.statusCode).toBe(201);
    expect(valid.json().record_ids).toEqual(['unique_id_1', 'unique_id_2']);
    const literal = await platform.app.inject({
      method: 'POST',
      url: '/orders',
      headers,
      payload: fixture('post-orders.brief-literal.txt'),
    });
    expect(literal.statusCode).toBe(400);
    expect(literal.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(literal.json().errorMessage).toEqual(expect.any(String));
  });

  it("stores the brief's example as pending for 24 hours", async () => {
    const response = await post(example);
    expect(response.statusCode).toBe(201);
    expect(response.json()).toEqual({
      message: 'Orders stored',
      count: 2,
      record_ids: ['unique_id_1', 'unique_id_2'],
      expiresAt: '2026-11-22T10:00:00.000Z',
    });
    expect((await get('unique_id_2')).json()).toEqual({
      record_id: 'unique_id_2',
      parameter_1: 'def',
      parameter_2: 2.1,
      status: 'pending',
      ttl: Math.floor(now.getTime() / 1000) + 86_400,
      createdAt: now.toISOString(),
    });
  });

  it('replaces an order posted again, so retries are safe', async () => {
    await post([{ record_id: 'again', parameter_1: 'first', parameter_2: 1 }]);
    await post([{ record_id: 'again', parameter_1: 'second', parameter_2: 2 }]);
    expect((await get('again')).json()).toMatchObject({ parameter_1: 'second', parameter_2: 2 });
  });

  it('stores 1000 orders in one request (40 batch writes)', async () => {
    const many = Array.from({ length: 1000 }, (_, i) => ({
      record_id: `bulk-${i}`,
      parameter_1: 'p',
      parameter_2: i,
    }));
    expect((await post(many)).json().count).toBe(1000);
    expect((await get('bulk-999')).json()).toMatchObject({ parameter_2: 999, status: 'pending' });
  });

  it.each([
    ['no body', undefined],
    ['an empty array', []],
  ])('answers %s with 400 and errorMessage "Request body is empty"', async (_case, payload) => {
    const response =
      payload === undefined
        ? await platform.app.inject({ method: 'POST', url: '/orders' })
        : await post(payload);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ status: 400, errorMessage: 'Request body is empty' });
  });

  it('answers an empty JSON body with the same errorMessage', async () => {
    const response = await platform.app.inject({
      method: 'POST',
      url: '/orders',
      headers: { 'content-type': 'application/json' },
      payload: '',
    });
    expect(response.json()).toMatchObject({ status: 400, errorMessage: 'Request body is empty' });
  });

  it.each([
    ['a missing field', [example[0], { record_id: 'x', parameter_1: 'a' }], 'body[1].parameter_2'],
    ['a wrong type', [{ record_id: 'x', parameter_1: 'a', parameter_2: '4' }], 'body[0].parameter_2'],
    [
      'a number no exact store holds',
      [{ record_id: 'x', parameter_1: 'a', parameter_2: 1e300 }],
      'body[0].parameter_2',
    ],
    ['an empty record_id', [{ record_id: '', parameter_1: 'a', parameter_2: 1 }], 'body[0].record_id'],
    [
      'a record_id too long',
      [{ record_id: 'r'.repeat(129), parameter_1: 'a', parameter_2: 1 }],
      'body[0].record_id',
    ],
    [
      'an unknown field',
      [{ record_id: 'x', parameter_1: 'a', parameter_2: 1, extra: true }],
      'body[0].extra',
    ],
    ['a repeated record_id', [example[0], example[0]], 'body[1].record_id'],
    [
      'a number too close to zero for DynamoDB, after a good order',
      [
        { record_id: 'x', parameter_1: 'a', parameter_2: 1 },
        { record_id: 'y', parameter_1: 'a', parameter_2: 1e-200 },
      ],
      'body[1].parameter_2',
    ],
    [
      'a record_id with a lone surrogate, after a good order',
      [
        { record_id: 'x', parameter_1: 'a', parameter_2: 1 },
        { record_id: 'r\ud800', parameter_1: 'a', parameter_2: 1 },
      ],
      'body[1].record_id',
    ],
    ['an object, not an array', { record_id: 'x', parameter_1: 'a', parameter_2: 1 }, 'body'],
  ])('answers %s with a 400 naming %s, saving nothing', async (_case, payload, field) => {
    const response = await post(payload);
    expect(response.statusCode).toBe(400);
    const problem = response.json();
    expect(problem.errors.map((e: { field: string }) => e.field)).toContain(field);
    expect(problem.errorMessage).toContain(field);
    expect((await get('x')).statusCode).toBe(404);
  });

  it('refuses more than 1000 orders', async () => {
    const many = Array.from({ length: 1001 }, (_, i) => ({
      record_id: `too-${i}`,
      parameter_1: 'p',
      parameter_2: i,
    }));
    expect((await post(many)).statusCode).toBe(400);
    expect((await get('too-0')).statusCode).toBe(404);
  });
});

describe('GET /orders/{record_id}', () => {
  it('never returns an expired order, though the item is still in the table', async () => {
    await post([{ record_id: 'short-lived', parameter_1: 'a', parameter_2: 1 }]);
    expect((await get('short-lived')).statusCode).toBe(200);
    now = new Date(now.getTime() + 86_400_000);
    try {
      const response = await get('short-lived');
      expect(response.statusCode).toBe(404);
      expect(response.json().errorMessage).toMatch(/expired/);
    } finally {
      now = new Date(now.getTime() - 86_400_000);
    }
  });

  it('answers 404 for an order never posted', async () => {
    expect((await get('never')).statusCode).toBe(404);
  });
});
