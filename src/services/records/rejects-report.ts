import type { RowError } from './csv-rules.js';

const cell = (value: string | number) => {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
};

/** The full rejects report of a file: one CSV line per row error. */
export function rejectsReport(errors: RowError[]): string {
  return ['line,field,reason', ...errors.map((e) => [e.line, e.field, e.reason].map(cell).join(','))]
    .join('\r\n')
    .concat('\r\n');
}
