import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { censorNested, loggerOptions } from './log.js';

/** A logger at info writing into an array, one parsed line per entry. */
function capture() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { log: pino(loggerOptions('info'), sink), lines };
}

describe('log lines never carry personal data', () => {
  it('censors personal keys at the top of a line and one level down, and nothing else', () => {
    const { log, lines } = capture();
    const user = { email: 'ada@example.com', name: 'Ada', id: 'u-1' };
    log.info({ username: 'ada', dateOfBirth: '1990-07-14', user, count: 3 }, 'saved');
    expect(lines[0]).toMatchObject({
      username: '[redacted]',
      dateOfBirth: '[redacted]',
      user: { email: '[redacted]', name: '[redacted]', id: 'u-1' },
      count: 3,
      msg: 'saved',
    });
    // The caller's object is not changed.
    expect(user.email).toBe('ada@example.com');
  });

  it("censors personal keys at any depth, in arrays too, without touching the caller's objects", () => {
    const { log, lines } = capture();
    const patient = { name: 'Ada', dateOfBirth: '1990-07-14' };
    const rows = [{ line: 2, patient }, { line: 3 }];
    log.warn({ upload: { tenant: 't-1', rejected: rows } }, 'rows rejected');
    expect(lines[0]).toMatchObject({
      upload: {
        tenant: 't-1',
        rejected: [{ line: 2, patient: { name: '[redacted]', dateOfBirth: '[redacted]' } }, { line: 3 }],
      },
    });
    expect(JSON.stringify(lines[0])).not.toMatch(/Ada|1990/);
    expect(patient.name).toBe('Ada');
  });

  it('censors a frozen object without throwing', () => {
    const { log, lines } = capture();
    const user = Object.freeze({ email: 'ada@example.com', id: 'u-1' });
    const rows = Object.freeze([Object.freeze({ name: 'Ada' })]);
    log.info({ user, rows }, 'frozen');
    expect(lines[0]).toMatchObject({
      user: { email: '[redacted]', id: 'u-1' },
      rows: [{ name: '[redacted]' }],
    });
  });

  it('copies nothing when a line holds no personal key', () => {
    const line = { upload: { tenant: 't-1', rows: [{ line: 2 }] }, count: 3, bytes: Buffer.from('ada') };
    expect(censorNested(line)).toBe(line);
  });

  it('censors whole what lies deeper than it searches, and ends on a cycle', () => {
    const { log, lines } = capture();
    let deep: Record<string, unknown> = { email: 'ada@example.com' };
    for (let level = 0; level < 12; level++) deep = { level, next: deep };
    const cycle: Record<string, unknown> = { id: 'c-1' };
    cycle.self = cycle;
    log.info({ deep, cycle }, 'nested');
    expect(JSON.stringify(lines[0])).not.toContain('ada@example.com');
    expect(JSON.stringify(lines[0])).toContain('[redacted]');
    expect(lines[0]?.cycle).toEqual({ id: 'c-1', self: '[Circular]' });
  });

  it("censors a child logger's bindings", () => {
    const { log, lines } = capture();
    log.child({ username: 'ada', service: 'greetings' }).info('hello');
    expect(lines[0]).toMatchObject({ username: '[redacted]', service: 'greetings' });
  });

  it('keeps an error an error: its type, message and stack, with a personal field censored', () => {
    const { log, lines } = capture();
    const err = Object.assign(new TypeError('bad row'), { email: 'ada@example.com', code: 'E1' });
    log.error({ err }, 'failed');
    expect(lines[0]?.err).toMatchObject({
      type: 'TypeError',
      message: 'bad row',
      email: '[redacted]',
      code: 'E1',
    });
    const logged = lines[0]?.err as { stack?: string } | undefined;
    expect(logged?.stack).toContain('TypeError: bad row');
  });

  it('writes a request as its method and route pattern only, never its URL or headers', () => {
    const { log, lines } = capture();
    const req = {
      method: 'GET',
      url: '/hello/ada',
      headers: { authorization: 'Bearer secret', 'x-api-key': 'k' },
      routeOptions: { url: '/hello/:username' },
    };
    log.info({ req, res: { statusCode: 200 } }, 'request completed');
    expect(lines[0]).toMatchObject({
      req: { method: 'GET', route: '/hello/:username' },
      res: { statusCode: 200 },
    });
    expect(JSON.stringify(lines[0])).not.toMatch(/ada|secret|"k"/);
  });
});
