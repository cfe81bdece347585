import { describe, expect, it } from 'vitest';
import { openCursor, sealCursor } from './cursor.js';

const isPosition = (value: unknown): value is { pk: string } =>
  typeof value === 'object' && value !== null && typeof (value as { pk?: unknown }).pk === 'string';

describe('sealed cursors', () => {
  const position = { pk: 'T#acme#MRN#Q-1' };

  it('open with the secret they were sealed with, and show nothing of the position', () => {
    const cursor = sealCursor(position, 'key-a');
    expect(openCursor(cursor, 'key-a', isPosition)).toEqual(position);
    expect(Buffer.from(cursor, 'base64url').toString('latin1')).not.toContain('Q-1');
    // A fresh nonce each time: two cursors for one position differ.
    expect(sealCursor(position, 'key-a')).not.toBe(cursor);
  });

  it('do not open with another secret, altered, cut short, or as plain JSON', () => {
    const cursor = sealCursor(position, 'key-a');
    const bytes = Buffer.from(cursor, 'base64url');
    bytes[bytes.length - 1] = (bytes.at(-1) ?? 0) ^ 1;
    for (const [text, secret] of [
      [cursor, 'key-b'],
      [bytes.toString('base64url'), 'key-a'],
      [cursor.slice(0, 20), 'key-a'],
      [Buffer.from(JSON.stringify(position)).toString('base64url'), 'key-a'],
      ['', 'key-a'],
    ] as const) {
      expect(openCursor(text, secret, isPosition)).toBeUndefined();
    }
  });

  it('do not open to a value the caller does not accept', () => {
    expect(openCursor(sealCursor(['x'], 'key-a'), 'key-a', isPosition)).toBeUndefined();
  });
});
