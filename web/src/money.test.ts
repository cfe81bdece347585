import { describe, expect, it } from 'vitest';
import { formatMinorUnits, toMinorUnits } from './money.js';

describe('amounts', () => {
  it.each([
    ['12.50', 1250],
    ['12.5', 1250],
    ['12,05', 1205],
    ['0.01', 1],
    [' 7 ', 700],
  ])('takes %s as %i pence', (typed, pence) => {
    expect(toMinorUnits(typed)).toBe(pence);
  });

  it.each(['', '0', '0.00', '-1', '1.234', 'ten', '1e3', '12.'])('refuses %j', (typed) => {
    expect(toMinorUnits(typed)).toBeUndefined();
  });

  it('formats minor units in the currency', () => {
    expect(formatMinorUnits(1250, 'GBP', 'en-GB')).toBe('£12.50');
    expect(formatMinorUnits(5, 'EUR', 'en-GB')).toBe('€0.05');
  });
});
