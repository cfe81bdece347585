/** Amounts as people type them ("12.50") and as the API takes them (minor units, 1250). */

/**
 * The currency's decimal places as the reader's Intl data knows them: 2 for GBP, 0 for JPY, 3 for
 * KWD. The API keeps totals in minor units of any ISO 4217 code, so dividing by 100 is wrong for some.
 */
export function minorDigits(currency: string): number {
  return (
    new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2
  );
}

/**
 * Minor units from a typed amount, or undefined when it is not a positive amount with at most the
 * currency's decimal places.
 */
export function toMinorUnits(typed: string, currency: string): number | undefined {
  const digits = minorDigits(currency);
  const text = typed.trim().replace(',', '.');
  const shape = digits > 0 ? new RegExp(`^\\d{1,9}(\\.\\d{1,${digits}})?$`) : /^\d{1,9}$/;
  if (!shape.test(text)) return undefined;
  const [whole = '0', fraction = ''] = text.split('.');
  const minor = Number(whole) * 10 ** digits + Number(fraction.padEnd(digits, '0') || '0');
  return minor > 0 ? minor : undefined;
}

/** 1250 GBP → "£12.50", 500 JPY → "¥500", in the reader's locale. */
export function formatMinorUnits(minor: number, currency: string, locale?: string): string {
  return new Intl.NumberFormat(locale, { style: 'currency', currency }).format(
    minor / 10 ** minorDigits(currency),
  );
}
