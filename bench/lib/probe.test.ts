import { describe, expect, it } from 'vitest';
import { probeBothWays } from './probe.js';

// No timing: the rates are made up, as an engine that slows down with every write would give them.

describe('probeBothWays', () => {
  it('picks the truly best setting when the engine slows steadily from one measure to the next', async () => {
    const truth = new Map([
      [4, 1000],
      [8, 1040],
      [16, 1080],
      [32, 1060],
    ]);
    let calls = 0;
    const measure = async (setting: number) => (truth.get(setting) as number) - 100 * calls++;
    const { best, rates } = await probeBothWays([4, 8, 16, 32], measure);
    expect(best).toBe(16);
    // Forward 4, 8, 16, 32 (calls 0–3), then backward 32, 16, 8, 4 (calls 4–7).
    expect(rates.get(4)).toEqual([1000, 300]);
    expect(rates.get(32)).toEqual([760, 660]);
    expect(calls).toBe(8);
    expect([...rates.keys()]).toEqual([4, 8, 16, 32]);
  });

  it('keeps the first of two settings that tie', async () => {
    const { best } = await probeBothWays([8, 16], async () => 500);
    expect(best).toBe(8);
  });

  it('refuses an empty list rather than choosing nothing', async () => {
    await expect(probeBothWays([], async () => 1)).rejects.toThrow('nothing to probe');
  });
});
