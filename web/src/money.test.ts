import { describe, expect, it } from 'vitest';
import { formatMinorUnits, minorDigits, toMinorUnits } from './money.js';

describe('amounts', () => {
  it.each([
    ['12.50', 1250],
    ['12.5', 1250],
    ['12,05', 1205],
    ['0.01', 1],
    [' 7 ', 700],
  ])('takes %s as %i pence', (typed, pence) => {
    expect(toMinorUnits(typed, 'GBP')).toBe(pence);
  });

  it.each(['', '0', '0.00', '-1', '1.234', 'ten', '1e3', '12.'])('refuses %j', (typed) => {
    expect(toMinorUnits(typed, 'GBP')).toBeUndefined();
  });

  it('takes amounts in the decimal places of their currency', () => {
    expect([minorDigits('GBP'), minorDigits('JPY'), minorDigits('KWD')]).toEqual([2, 0, 3]);
    expect(toMinorUnits('500', 'JPY')).toBe(500);
    expect(toMinorUnits('5.5', 'JPY')).toBeUndefined();
    expect(toMinorUnits('1.5', 'KWD')).toBe(1500);
    expect(toMinorUnits('1.234', 'KWD')).toBe(1234);
  });

  it('formats minor units in the currency', () => {
    expect(formatMinorUnits(1250, 'GBP', 'en-GB')).toBe('£12.50');
    expect(formatMinorUnits(5, 'EUR', 'en-GB')).toBe('€0.05');
    expect(formatMinorUnits(500, 'JPY', 'en-GB')).toBe('JP¥500');
    // ICU puts a no-break space after a code it has no symbol for.
    expect(formatMinorUnits(1000, 'KWD', 'en-GB')).toBe('KWD\u00a01.000');
  });
});
