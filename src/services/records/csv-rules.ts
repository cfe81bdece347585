/**
 * What a patient-records CSV must look like, pure. Row problems reject the row (with its line);
 * file problems reject the file.
 */
import { resolveDateTime } from './local-time.js';

export const requiredColumns = [
  'medical_record_number',
  'first_name',
  'last_name',
  'date_time',
  'doctors_notes',
] as const;
/** Values a row cannot do without; notes may be empty (a visit without notes is still a visit). */
export const requiredValues = ['medical_record_number', 'first_name', 'last_name', 'date_time'] as const;

export const fieldLimits: Record<string, number> = {
  medical_record_number: 64,
  first_name: 100,
  last_name: 100,
  date_time: 40,
  doctors_notes: 10_000,
};

/**
 * Characters as the API's schemas count them (code points, so an emoji is one), not UTF-16 units;
 * the cheap length check first, since almost every value passes it.
 */
function isLongerThan(value: string, limit: number): boolean {
  if (value.length <= limit) return false;
  let count = 0;
  for (const _ of value) if (++count > limit) return true;
  return false;
}

export const extraFieldLimit = 1000;
export const maxColumns = 50;
export const maxColumnName = 255;

export interface RowError {
  line: number;
  field: string;
  reason: string;
}

export interface PatientRecord {
  medical_record_number: string;
  first_name: string;
  last_name: string;
  date_time: string;
  date_time_utc: string;
  doctors_notes: string;
  /** Columns beyond the required ones, kept as they came. */
  extra: Record<string, string>;
}

/**
 * Column names the SDK's marshalling cannot store as keys of a row's extra columns: it copies them
 * into a plain object, where `__proto__` sets the prototype instead of a key (the write then carries
 * a malformed map), and it takes an object whose `constructor` is not `Object` for a class instance
 * and throws. Either failed every write of the file, which was tried again for ever. Names are
 * lower-cased first, and these are the only lower-case names `Object.prototype` has.
 */
const unstorableNames = ['__proto__', 'constructor'];

/** Header cells as column names: trimmed, lower-cased, spaces to underscores. */
export function normaliseHeader(cells: string[]): string[] {
  return cells.map((cell) => cell.trim().toLowerCase().replace(/\s+/g, '_'));
}

/** Why a header cannot be used, or undefined. */
export function headerProblem(columns: string[]): string | undefined {
  const missing = requiredColumns.filter((column) => !columns.includes(column));
  if (missing.length > 0) return `missing required column(s): ${missing.join(', ')}`;
  if (columns.length > maxColumns) return `more than ${maxColumns} columns`;
  // By position, not name: a file with no header has a patient's row where the names should be.
  const repeated = columns.findIndex((column, i) => column !== '' && columns.indexOf(column) !== i);
  if (repeated >= 0) return `column ${repeated + 1} repeats the name of an earlier column`;
  const unstorable = columns.findIndex((column) => unstorableNames.includes(column));
  if (unstorable >= 0) return `column ${unstorable + 1} has a name this importer cannot store`;
  // A row's errors name its column, and the first 100 are kept in the upload's status, one item: a
  // name of 250,000 characters put that item over DynamoDB's 400 KB, and the file was tried for ever.
  const long = columns.findIndex((column) => isLongerThan(column, maxColumnName));
  if (long >= 0) return `column ${long + 1} has a name longer than ${maxColumnName} characters`;
  return undefined;
}

/** A data row as a record, or the reasons it is refused. */
export function checkRow(
  columns: string[],
  cells: string[],
  line: number,
  timeZone: string,
): { record: PatientRecord } | { errors: RowError[] } {
  if (cells.length !== columns.length) {
    return {
      errors: [{ line, field: '', reason: `has ${cells.length} values for ${columns.length} columns` }],
    };
  }
  const row = Object.fromEntries(columns.map((column, i) => [column, (cells[i] ?? '').trim()]));
  const errors: RowError[] = [];
  for (const field of requiredValues) if (!row[field]) errors.push({ line, field, reason: 'is required' });
  for (const [field, value] of Object.entries(row)) {
    const limit = fieldLimits[field] ?? extraFieldLimit;
    if (isLongerThan(value, limit))
      errors.push({ line, field, reason: `is longer than ${limit} characters` });
  }
  const resolved = row.date_time ? resolveDateTime(row.date_time, timeZone) : undefined;
  if (row.date_time && !resolved)
    errors.push({ line, field: 'date_time', reason: 'is not a date and time this importer reads' });
  if (errors.length > 0 || !resolved) return { errors };
  const extra = Object.fromEntries(
    Object.entries(row).filter(([field]) => field && !(requiredColumns as readonly string[]).includes(field)),
  );
  return {
    record: {
      medical_record_number: row.medical_record_number as string,
      first_name: row.first_name as string,
      last_name: row.last_name as string,
      date_time: row.date_time as string,
      date_time_utc: resolved.utc,
      doctors_notes: row.doctors_notes ?? '',
      extra,
    },
  };
}

/** One field of a raw CSV record: quoted by RFC 4180's rules, or plain with no quote in it. */
const strictField = /(?:"(?:[^"]|"")*"|[^",\r\n]*)(?:,|\r\n|\n|\r|$)/y;

/**
 * The 0-based column of the first field that breaks RFC 4180 quoting (a quote inside a plain field,
 * or text after a closing quote), or undefined. The parser reads such fields leniently so that it
 * stays in step with the file; this decides that the row is refused.
 */
export function malformedColumn(raw: string): number | undefined {
  strictField.lastIndex = 0;
  for (let column = 0; strictField.lastIndex < raw.length; column += 1) {
    const start = strictField.lastIndex;
    if (!strictField.test(raw) || strictField.lastIndex === start) return column;
  }
  return undefined;
}

/** The identity of a visit within a tenant: patient and UTC instant. */
export function visitKey(record: Pick<PatientRecord, 'medical_record_number' | 'date_time_utc'>): string {
  return `${record.medical_record_number}\u0000${record.date_time_utc}`;
}
