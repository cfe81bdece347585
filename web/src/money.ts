/** Amounts as people type them ("12.50") and as the API takes them (minor units, 1250). */

/** Pence (cents) from a typed amount, or undefined when it is not a positive amount with at most 2 decimals. */
export function toMinorUnits(typed: string): number | undefined {
  const text = typed.trim().replace(',', '.');
  if (!/^\d{1,9}(\.\d{1,2})?$/.test(text)) return undefined;
  const [whole = '0', fraction = ''] = text.split('.');
  const minor = Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
  return minor > 0 ? minor : undefined;
}

/** 1250 GBP → "£12.50", in the reader's locale. */
export function formatMinorUnits(minor: number, currency: string, locale?: string): string {
  return new Intl.NumberFormat(locale, { style: 'currency', currency }).format(minor / 100);
}
