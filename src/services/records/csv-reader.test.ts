import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { FileRejected, readRecords } from './csv-reader.js';
import type { PatientRecord } from './csv-rules.js';

async function read(text: string | Buffer, chunkSize = 7) {
  const bytes = typeof text === 'string' ? Buffer.from(text) : text;
  const chunks = Array.from({ length: Math.ceil(bytes.length / chunkSize) }, (_, i) =>
    bytes.subarray(i * chunkSize, (i + 1) * chunkSize),
  );
  const written: PatientRecord[] = [];
  const outcome = await readRecords(
    Readable.from(chunks),
    'Europe/London',
    async (records) => {
      written.push(...records);
    },
    2,
  );
  return { outcome, written };
}

const header = 'medical_record_number,first_name,last_name,date_time,doctors_notes';

describe('readRecords', () => {
  it('reads RFC 4180 quoting: commas, quotes and line breaks in notes', async () => {
    const { outcome, written } = await read(
      `${header}\nMRN1,Ada,Lovelace,2026-07-01 09:00,"Complains of ""headache"", dizzy,\nsecond line"\nMRN2,Alan,Turing,2026-07-01T10:00:00Z,fine\n`,
    );
    expect(outcome).toEqual({ total: 2, ingested: 2, rejected: 0, errors: [] });
    expect(written[0]).toEqual({
      medical_record_number: 'MRN1',
      first_name: 'Ada',
      last_name: 'Lovelace',
      date_time: '2026-07-01 09:00',
      date_time_utc: '2026-07-01T08:00:00.000Z',
      doctors_notes: 'Complains of "headache", dizzy,\nsecond line',
      extra: {},
    });
  });

  it('takes a BOM, CRLF endings, columns in any order and keeps extra columns', async () => {
    const { written } = await read(
      `\uFEFFDoctors Notes,date_time,Last_Name,first_name,medical_record_number,Ward\r\nok,2026-01-02 03:04,Hopper,Grace,M9,B2\r\n`,
    );
    expect(written).toEqual([
      expect.objectContaining({
        medical_record_number: 'M9',
        last_name: 'Hopper',
        doctors_notes: 'ok',
        extra: { ward: 'B2' },
      }),
    ]);
  });

  it('rejects bad rows with their line (counting lines inside quoted notes) and keeps the rest', async () => {
    const text = [
      header,
      'A1,Ada,Lovelace,2026-07-01 09:00,"two\nlines"', // lines 2-3
      'A2,,Lovelace,2026-07-01 09:00,x', // line 4: missing first_name
      'A3,Ada,Lovelace,not a date,x', // line 5
      `A4,${'x'.repeat(101)},Lovelace,2026-07-01 09:00,x`, // line 6
      'A1,Ada,Lovelace,2026-07-01T08:00:00Z,again', // line 7: same visit as line 2
      'A5,Ada,Lovelace,2026-07-01 09:00', // line 8: too few values
      'A6,Ada,Lovelace,2026-07-02 09:00,', // line 9: empty notes are fine
    ].join('\n');
    const { outcome, written } = await read(text);
    expect(written.map((r) => r.medical_record_number)).toEqual(['A1', 'A6']);
    expect(outcome).toMatchObject({ total: 7, ingested: 2, rejected: 5 });
    expect(outcome.errors).toEqual([
      { line: 4, field: 'first_name', reason: 'is required' },
      { line: 5, field: 'date_time', reason: 'is not a date and time this importer reads' },
      { line: 6, field: 'first_name', reason: 'is longer than 100 characters' },
      { line: 7, field: 'date_time', reason: 'repeats an earlier row for this patient and time' },
      { line: 8, field: '', reason: 'has 4 values for 5 columns' },
    ]);
  });

  it.each([
    ['an empty file', '', /empty: no header/],
    ['a header alone', `${header}\n`, /empty: a header and no rows/],
    [
      'a missing column',
      'medical_record_number,first_name,date_time,doctors_notes\nA,B,2026-01-01 10:00,x\n',
      /missing required column\(s\): last_name/,
    ],
    ['binary data', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01, 0x02]), /not a text file/],
    ['Latin-1 text', Buffer.from([0x6e, 0x6f, 0x74, 0x65, 0xe9, 0x0a]), /not UTF-8/],
    ['an unterminated quote', `${header}\nA,B,C,2026-01-01 10:00,"never closed\n`, /not a CSV file/],
  ])('rejects %s as a whole file', async (_case, text, reason) => {
    await expect(read(text)).rejects.toThrow(FileRejected);
    await expect(read(text)).rejects.toThrow(reason);
  });
});
