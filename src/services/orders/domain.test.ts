import { describe, expect, it } from 'vitest';
import { batchesOf, resultKey } from './domain.js';

describe('resultKey', () => {
  const decidedAt = '2026-11-22T09:00:00.000Z';

  it('is the decision date and the URL-encoded record_id', () => {
    expect(resultKey({ record_id: 'unique_id_1', decidedAt })).toBe('results/2026-11-22/unique_id_1.json');
    expect(resultKey({ record_id: 'a/b c', decidedAt })).toBe('results/2026-11-22/a%2Fb%20c.json');
  });

  it('keeps the longest record_id within S3 key and file name limits, one key per id', () => {
    const long = (tail: string) => `${tail}${'😀'.repeat(127)}`;
    const first = resultKey({ record_id: long('a'), decidedAt });
    const second = resultKey({ record_id: long('b'), decidedAt });
    expect(first).not.toBe(second);
    expect(first).toBe(resultKey({ record_id: long('a'), decidedAt }));
    const name = first.split('/').at(-1) as string;
    expect(Buffer.byteLength(name)).toBeLessThanOrEqual(170);
    expect(name).toMatch(/^a(%F0%9F%98%80)+~[0-9a-f]{64}\.json$/);
  });
});

describe('batchesOf', () => {
  it('splits ids into batches of 50, the last one shorter', () => {
    const batches = batchesOf(Array.from({ length: 101 }, (_, i) => i));
    expect(batches.map((b) => b.length)).toEqual([50, 50, 1]);
    expect(batchesOf([])).toEqual([]);
  });
});
