import { describe, expect, it } from 'vitest';
import { batchesOf, resultKey, unstorableFields } from './domain.js';

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

describe('unstorableFields', () => {
  const order = (record_id: string, parameter_2: number) => ({ record_id, parameter_1: 'p', parameter_2 });

  it('passes what the stores hold: zero, 1e-130 and up, surrogate pairs', () => {
    for (const ok of [
      order('a', 0),
      order('a', -0),
      order('a', 1e-130),
      order('a', -1e-130),
      order('😀ü', 2),
    ])
      expect(unstorableFields(ok)).toEqual([]);
  });

  it('names a number DynamoDB would refuse as an underflow and a lone surrogate in either half', () => {
    expect(unstorableFields(order('a', 5e-324)).map((p) => p.field)).toEqual(['parameter_2']);
    expect(unstorableFields(order('a', -1e-131)).map((p) => p.field)).toEqual(['parameter_2']);
    expect(unstorableFields(order('x\ud800', 1)).map((p) => p.field)).toEqual(['record_id']);
    expect(unstorableFields(order('\udc00x', 1e-200)).map((p) => p.field)).toEqual([
      'record_id',
      'parameter_2',
    ]);
  });
});
