import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { FileRejected, readRecords } from './csv-reader.js';
import type { PatientRecord, RowError } from './csv-rules.js';

function chunked(bytes: Buffer, size: number) {
  return Readable.from(
    Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) =>
      bytes.subarray(i * size, (i + 1) * size),
    ),
  );
}

async function read(text: string | Buffer, chunkSize = 7, write = async (_records: PatientRecord[]) => {}) {
  const bytes = typeof text === 'string' ? Buffer.from(text) : text;
  const written: PatientRecord[] = [];
  const errors: RowError[] = [];
  const sink = {
    write: async (records: PatientRecord[]) => {
      await write(records);
      written.push(...records);
    },
    reject: (error: RowError) => {
      errors.push(error);
      return undefined;
    },
  };
  const outcome = await readRecords(chunked(bytes, chunkSize), 'Europe/London', sink, {
    batchSize: 2,
    window: 2,
  });
  return { outcome: { ...outcome, errors }, written };
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

  it('rejects bad rows with their line (counting lines inside quoted notes); a repeated visit keeps its later row', async () => {
    const text = [
      header,
      'A1,Ada,Lovelace,2026-07-01 09:00,"two\nlines"', // lines 2-3
      'A2,,Lovelace,2026-07-01 09:00,x', // line 4: missing first_name
      'A3,Ada,Lovelace,not a date,x', // line 5
      `A4,${'x'.repeat(101)},Lovelace,2026-07-01 09:00,x`, // line 6
      'A1,Ada,Lovelace,2026-07-01T08:00:00Z,again', // line 7: same visit as line 2, replaces it
      'A5,Ada,Lovelace,2026-07-01 09:00', // line 8: too few values
      'A6,Ada,Lovelace,2026-07-02 09:00,', // line 9: empty notes are fine
    ].join('\n');
    const { outcome, written } = await read(text);
    expect(written.map((r) => [r.medical_record_number, r.doctors_notes])).toEqual([
      ['A1', 'again'],
      ['A6', ''],
    ]);
    expect(outcome).toMatchObject({ total: 7, ingested: 3, rejected: 4 });
    expect(outcome.errors).toEqual([
      { line: 4, field: 'first_name', reason: 'is required' },
      { line: 5, field: 'date_time', reason: 'is not a date and time this importer reads' },
      { line: 6, field: 'first_name', reason: 'is longer than 100 characters' },
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
    [
      'a quote never closed',
      `${header}\nA,B,C,2026-01-01 10:00,ok\nA,B,C,2026-01-02 10:00,"never closed\nA,B,C,2026-01-03 10:00,x\n`,
      /^line 3: a quoted field opened here is never closed$/,
    ],
    [
      'UTF-16 with a BOM',
      Buffer.from(`\uFEFF${header}\n`, 'utf16le'),
      /^UTF-16 text: save the file as UTF-8$/,
    ],
    ['UTF-16 without a BOM', Buffer.from(`${header}\n`, 'utf16le'), /NUL bytes: binary or UTF-16/],
    [
      'a 5 MB field',
      `${header}\nA,B,C,2026-01-01 10:00,${'x'.repeat(5 * 1024 * 1024)}\n`,
      /^line 2: a row longer than/,
    ],
    [
      '100k columns in one line',
      `${Array.from({ length: 100_000 }, (_, i) => `c${i}`).join(',')}\n`,
      /^line 1: a row longer than/,
    ],
  ])('rejects %s as a whole file', async (_case, text, reason) => {
    await expect(read(text, 64 * 1024)).rejects.toThrow(FileRejected);
    await expect(read(text, 64 * 1024)).rejects.toThrow(reason);
  });

  it('refuses a row with a stray quote and reads on in step with the lines', async () => {
    const text = [
      header,
      'M1,Ada,Love"lace,2026-01-01 10:00,n', // line 2: quote inside a plain field
      'M2,"Grace"x,Hopper,2026-01-01 10:00,n', // line 3: text after a closing quote
      'M3,Alan,Turing,2026-01-01 10:00,"fine, ""quoted"""', // line 4
      'M4,O"Brien,Pat,2026-01-01 10:00,n', // line 5
      'M5,Kay,Jones,2026-01-01 10:00,n', // line 6
    ].join('\r\n');
    const { outcome, written } = await read(text);
    expect(written.map((r) => r.medical_record_number)).toEqual(['M3', 'M5']);
    expect(outcome).toEqual({
      total: 5,
      ingested: 2,
      rejected: 3,
      errors: [
        { line: 2, field: 'last_name', reason: 'has a quote inside an unquoted field' },
        { line: 3, field: 'first_name', reason: 'has a quote inside an unquoted field' },
        { line: 5, field: 'first_name', reason: 'has a quote inside an unquoted field' },
      ],
    });
  });

  it('reads CR-only line ends', async () => {
    const { outcome } = await read(`${header}\rM1,A,B,2026-01-01 10:00,x\rM2,A,B,2026-01-02 10:00,y\r`);
    expect(outcome).toEqual({ total: 2, ingested: 2, rejected: 0, errors: [] });
  });

  it.each([1, 2, 7, 64])(
    'reads CRLF, LF and CR line ends mixed in one file, counting lines alike (chunks of %i bytes)',
    async (chunkSize) => {
      // A header saved on Windows and rows appended by a Unix export, then one by an old Mac tool.
      const text = `${header}\r\nM1,A,B,2026-01-01 10:00,"two\r\nlines"\nM2,A,B,2026-01-02 10:00,y\rM3,A,,2026-01-03 10:00,z\r\nM4,A,B,2026-01-04 10:00,w\n`;
      const { outcome, written } = await read(text, chunkSize);
      expect(outcome).toEqual({
        total: 4,
        ingested: 3,
        rejected: 1,
        errors: [{ line: 5, field: 'last_name', reason: 'is required' }],
      });
      expect(written.map((r) => r.doctors_notes)).toEqual(['two\r\nlines', 'y', 'w']);
    },
  );

  it('ends at once when a header problem stops a file far larger than the stream buffers', async () => {
    const source = chunked(Buffer.from(`bad,header\n${'x,y\n'.repeat(256 * 1024)}`), 16 * 1024);
    const sink = { write: async () => {}, reject: () => undefined };
    await expect(readRecords(source, 'UTC', sink)).rejects.toThrow(/missing required column/);
    expect(source.destroyed).toBe(true);
  });

  it('passes a failed write through as it is (a fault, not a file problem) and stops reading', async () => {
    const rows = Array.from({ length: 20_000 }, (_, i) => `M${i},A,B,2026-01-01 10:00,x`);
    let calls = 0;
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    const write = async () => {
      calls += 1;
      if (calls === 2) throw throttled;
    };
    await expect(read(`${header}\n${rows.join('\n')}\n`, 4096, write)).rejects.toBe(throttled);
    expect(calls).toBeLessThan(4);
  });

  it('keeps the counts reached when a file problem stops it part-way', async () => {
    const rows = ['2026-01-01', '2026-01-02', '2026-01-03'].map((day) => `A,B,C,${day} 10:00,ok`);
    const failure = await read(`${header}\n${rows.join('\n')}\n"open`).catch((error: FileRejected) => error);
    expect(failure).toBeInstanceOf(FileRejected);
    expect((failure as FileRejected).progress).toEqual({ total: 3, ingested: 2, rejected: 0 });
  });
});
