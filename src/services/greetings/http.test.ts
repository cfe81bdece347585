import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../../local/test-platform.js';

let now = new Date('2026-11-21T09:30:00Z');
let platform: TestPlatform;

beforeAll(async () => {
  platform = await startTestPlatform({ clock: () => now });
});
afterAll(() => platform.stop());

const put = (username: string, body: unknown) =>
  platform.app.inject({ method: 'PUT', url: `/hello/${username}`, payload: body as object });
const get = (username: string) => platform.app.inject({ method: 'GET', url: `/hello/${username}` });

describe('PUT /hello/{username}', () => {
  it('saves a date of birth with 204 and no body', async () => {
    const response = await put('alice', { dateOfBirth: '1990-11-26' });
    expect(response.statusCode).toBe(204);
    expect(response.body).toBe('');
  });

  it('replaces an earlier date of birth', async () => {
    await put('carol', { dateOfBirth: '1990-01-01' });
    await put('carol', { dateOfBirth: '1985-11-22' });
    expect((await get('carol')).json()).toEqual({ message: 'Hello, carol! Your birthday is in 1 day(s)' });
  });

  it.each([
    ['digits in the name', 'al1ce', { dateOfBirth: '1990-01-01' }, 'params.username'],
    ['symbols in the name', 'alice-b', { dateOfBirth: '1990-01-01' }, 'params.username'],
    ['an impossible date', 'alice', { dateOfBirth: '2021-02-30' }, 'body.dateOfBirth'],
    ['today', 'alice', { dateOfBirth: '2026-11-21' }, 'body.dateOfBirth'],
    ['a future date', 'alice', { dateOfBirth: '2030-01-01' }, 'body.dateOfBirth'],
    ['another date format', 'alice', { dateOfBirth: '21/11/1990' }, 'body.dateOfBirth'],
    ['a missing field', 'alice', {}, 'body.dateOfBirth'],
    ['a number', 'alice', { dateOfBirth: 19900101 }, 'body.dateOfBirth'],
    ['null', 'alice', { dateOfBirth: null }, 'body.dateOfBirth'],
    ['extra junk', 'alice', { dateOfBirth: '1990-01-01', admin: true }, 'body.admin'],
    ['an array body', 'alice', ['1990-01-01'], 'body'],
  ])('refuses %s with a 400 problem naming %s', async (_case, username, body, field) => {
    const response = await put(username, body);
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    const problem = response.json();
    expect(problem).toMatchObject({ status: 400, title: 'Bad Request', instance: '/hello/:username' });
    expect(problem.errors.map((e: { field: string }) => e.field)).toContain(field);
    expect(problem.detail).toContain(field);
  });

  it('records nothing when the input is refused', async () => {
    await put('dave', { dateOfBirth: '2030-01-01' });
    expect((await get('dave')).statusCode).toBe(404);
  });
});

describe('GET /hello/{username}', () => {
  it('counts the days to the birthday', async () => {
    expect((await get('alice')).json()).toEqual({ message: 'Hello, alice! Your birthday is in 5 day(s)' });
  });

  it('wishes happy birthday on the day (UTC)', async () => {
    await put('erin', { dateOfBirth: '2000-11-21' });
    const response = await get('erin');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ message: 'Hello, erin! Happy birthday!' });
  });

  it('greets a 29 February birthday on 28 February in a non-leap year', async () => {
    await put('leap', { dateOfBirth: '2000-02-29' });
    now = new Date('2027-02-28T12:00:00Z');
    try {
      expect((await get('leap')).json()).toEqual({ message: 'Hello, leap! Happy birthday!' });
    } finally {
      now = new Date('2026-11-21T09:30:00Z');
    }
  });

  it('answers 404 for a user never saved', async () => {
    const response = await get('nobody');
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ status: 404, title: 'Not Found' });
  });

  it('answers 400 for a name with digits', async () => {
    expect((await get('r2d2')).statusCode).toBe(400);
  });

  it('treats names case-sensitively and keeps letters from any script', async () => {
    await put('Zoë', { dateOfBirth: '1999-11-23' });
    expect((await get('Zo%C3%AB')).json()).toEqual({ message: 'Hello, Zoë! Your birthday is in 2 day(s)' });
    expect((await get('zoë')).statusCode).toBe(404);
  });

  it('greets a name whose letters carry vowel signs (Devanagari), as written', async () => {
    const name = 'राम';
    expect((await put(encodeURIComponent(name), { dateOfBirth: '1999-11-23' })).statusCode).toBe(204);
    expect((await get(encodeURIComponent(name))).json()).toEqual({
      message: `Hello, ${name}! Your birthday is in 2 day(s)`,
    });
  });

  it('takes the decomposed spelling (e + U+0308) as the same user, stored composed (ADR 0004)', async () => {
    const decomposed = encodeURIComponent('Noe\u0308l');
    expect((await put(decomposed, { dateOfBirth: '1999-11-23' })).statusCode).toBe(204);
    expect((await get(encodeURIComponent('No\u00ebl'))).json()).toEqual({
      message: 'Hello, No\u00ebl! Your birthday is in 2 day(s)',
    });
    expect((await get(decomposed)).statusCode).toBe(200);
  });

  it('keeps the last of many parallel writes for one user', async () => {
    const dates = Array.from({ length: 20 }, (_, i) => `1990-01-${String(i + 1).padStart(2, '0')}`);
    const responses = await Promise.all(dates.map((dateOfBirth) => put('frank', { dateOfBirth })));
    expect(responses.every((r) => r.statusCode === 204)).toBe(true);
    const message = (await get('frank')).json().message as string;
    expect(message).toMatch(/^Hello, frank! Your birthday is in \d+ day\(s\)$/);
  });
});

describe('privacy', () => {
  it('never writes a username or date of birth to the logs', async () => {
    await put('Privatename', { dateOfBirth: '1977-05-04' });
    await get('Privatename');
    const logs = platform.rawLogs();
    expect(logs).toContain('birthday.saved');
    expect(logs).not.toContain('Privatename');
    expect(logs).not.toContain('1977-05-04');
  });
});

describe('restart', () => {
  it('keeps saved data across a restart of the platform', async () => {
    const first = await startTestPlatform({ clock: () => now });
    await first.app.inject({ method: 'PUT', url: '/hello/grace', payload: { dateOfBirth: '1990-11-30' } });
    await first.stop({ keepData: true });
    const second = await startTestPlatform({ clock: () => now, dataDir: first.dataDir });
    try {
      const response = await second.app.inject({ method: 'GET', url: '/hello/grace' });
      expect(response.json()).toEqual({ message: 'Hello, grace! Your birthday is in 9 day(s)' });
    } finally {
      await second.stop();
    }
  });
});
