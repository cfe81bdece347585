import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parse } from 'csv-parse';
import {
  checkRow,
  headerProblem,
  malformedColumn,
  normaliseHeader,
  type PatientRecord,
  type RowError,
  visitKey,
} from './csv-rules.js';
import { WriteWindow } from './write-window.js';

/** A problem with the file itself: it ends `failed` with this reason, which never quotes the file. */
export class FileRejected extends Error {
  override name = 'FileRejected';
  /** How far the file got first: rows stored before the problem stay stored. */
  progress?: ReadOutcome;
}

export interface ReadOutcome {
  total: number;
  ingested: number;
  rejected: number;
}

/** Where the reader sends what it finds. */
export interface RowSink {
  /** Stores one batch of good rows (at most `batchSize`); a visit appears once in a batch. */
  write(records: PatientRecord[]): Promise<void>;
  /** Notes a refused row's problem; a promise means "wait before the next one" (backpressure). */
  reject(error: RowError): undefined | Promise<void>;
}

export interface ReadOptions {
  /** Good rows per batch handed to `write` (BatchWriteItem takes 25). */
  batchSize?: number;
  /** Batches in flight at once while the file is still being parsed. */
  window?: number;
  /** A row longer than this (bytes) cannot be told apart from a runaway quote: the file fails. */
  maxRecordBytes?: number;
  signal?: AbortSignal;
}

/** Refuses what is not UTF-8 text: UTF-16, a NUL byte, or bytes that are not UTF-8. */
async function* textOnly(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let first = true;
  for await (const chunk of source) {
    if (first && (chunk[0] === 0xff || chunk[0] === 0xfe) && (chunk[1] === 0xfe || chunk[1] === 0xff))
      throw new FileRejected('UTF-16 text: save the file as UTF-8');
    first = false;
    if (chunk.includes(0))
      throw new FileRejected('not a text file (it contains NUL bytes: binary or UTF-16)');
    try {
      decoder.decode(chunk, { stream: true });
    } catch {
      throw new FileRejected('not UTF-8 text');
    }
    yield chunk;
  }
  try {
    decoder.decode();
  } catch {
    throw new FileRejected('not UTF-8 text (it ends inside a character)');
  }
}

/** csv-parse's own errors as a file reason: its messages quote the file, so only its code is used. */
function parseFailure(error: unknown, line: number, maxRecordBytes: number): FileRejected | undefined {
  const code = String((error as { code?: unknown }).code ?? '');
  if (code === 'CSV_QUOTE_NOT_CLOSED')
    return new FileRejected(`line ${line}: a quoted field opened here is never closed`);
  if (code === 'CSV_MAX_RECORD_SIZE')
    return new FileRejected(
      `line ${line}: a row longer than ${maxRecordBytes} bytes (a quote never closed?)`,
    );
  if (code.startsWith('CSV_') || code.startsWith('INVALID_'))
    return new FileRejected(`line ${line}: not CSV this importer can read (${code})`);
  return undefined;
}

/**
 * A row the database refused as too large (a ValidationException saying so) as a file reason: the
 * file's content is what the write carried, so trying again would be refused again, and an upload
 * tried again for ever would hold up the tenant's later files. The row limits keep an item under
 * DynamoDB's 400 KB; this is the net behind them. Other ValidationExceptions (a table whose keys do
 * not match, after a faulty deploy) stay passing faults: the file succeeds once the deploy is mended.
 */
function refusedWrite(error: unknown): FileRejected | undefined {
  if (!(error instanceof Error) || error.name !== 'ValidationException') return undefined;
  if (!/item size.*exceeded/i.test(error.message)) return undefined;
  return new FileRejected('a row could not be stored: it is larger than the database takes');
}

/** CRLFs in a field, without allocating: this runs for every field of every row. */
function crlfsIn(field: string): number {
  let count = 0;
  for (let at = field.indexOf('\r\n'); at !== -1; at = field.indexOf('\r\n', at + 2)) count += 1;
  return count;
}

interface ParsedRecord {
  record: string[];
  raw: string;
  info: { lines: number };
}

/**
 * Streams a CSV through `stream/promises.pipeline`, so an error anywhere (the source, the parser, a
 * failed write) tears every stage down and the read ends. RFC 4180 quoting, BOM or not, CRLF, LF or
 * CR. Memory holds `window × batchSize` rows at most, whatever the file's size or number of errors.
 *
 * Rows: a quote inside a plain field (or text after a closing quote) refuses that row only, since
 * the parser reads it leniently and stays in step with the lines. A quote that never closes, or a
 * row past `maxRecordBytes`, fails the file: nothing after it can be trusted to be a row.
 */
export async function readRecords(
  source: Readable,
  timeZone: string,
  sink: RowSink,
  { batchSize = 25, window = 16, maxRecordBytes = 256 * 1024, signal }: ReadOptions = {},
): Promise<ReadOutcome> {
  const outcome: ReadOutcome = { total: 0, ingested: 0, rejected: 0 };
  let columns: string[] | undefined;
  let nextLine = 1;
  const writes = new WriteWindow(sink.write, batchSize, window);
  const refuse = async (errors: RowError[]) => {
    outcome.rejected += 1;
    for (const error of errors) await sink.reject(error);
  };

  const consume = async (records: AsyncIterable<ParsedRecord>) => {
    for await (const { record, raw, info } of records) {
      const line = nextLine;
      nextLine = info.lines + 1;
      if (!columns) {
        columns = normaliseHeader(record);
        const problem = headerProblem(columns);
        if (problem) throw new FileRejected(problem);
        continue;
      }
      outcome.total += 1;
      const badColumn = raw.includes('"') ? malformedColumn(raw) : undefined;
      if (badColumn !== undefined) {
        const field = columns[badColumn] ?? `column ${badColumn + 1}`;
        await refuse([{ line, field, reason: 'has a quote inside an unquoted field' }]);
        continue;
      }
      const checked = checkRow(columns, record, line, timeZone);
      if ('errors' in checked) {
        await refuse(checked.errors);
        continue;
      }
      // Later rows of a visit replace earlier ones, as a newer file's do (decision 0010).
      await writes.add(visitKey(checked.record), checked.record);
    }
    await writes.finish();
  };

  // The parser runs ahead of the rows consumed: its own line count places a parse error.
  let parsedLines = 0;
  let quotedCrlfs = 0;
  const parser = parse({
    // With `info`, what it hands over is the whole `ParsedRecord`, though its types say a row.
    on_record: (row) => {
      const parsed = row as unknown as ParsedRecord;
      // The parser counts a CRLF inside a quoted field as two lines; an editor shows one.
      for (const field of parsed.record) quotedCrlfs += crlfsIn(field);
      parsed.info.lines -= quotedCrlfs;
      parsedLines = parsed.info.lines;
      return row;
    },
    bom: true,
    // Any line end anywhere: left to itself, the parser takes the first one it meets for the whole
    // file, and a CRLF header over LF rows (files joined from two tools) reads as one long row.
    record_delimiter: ['\r\n', '\n', '\r'],
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    max_record_size: maxRecordBytes,
    info: true,
    raw: true,
  });
  try {
    await pipeline(source, textOnly, parser, consume, { signal });
    outcome.ingested = writes.written;
  } catch (error) {
    // No write may outlive the read: the tenant's next file must not race this one's last batches.
    await writes.settle();
    const failure =
      error instanceof FileRejected
        ? error
        : (parseFailure(error, parsedLines + 1, maxRecordBytes) ?? refusedWrite(error));
    if (!failure) throw error;
    failure.progress = { ...outcome, ingested: writes.written };
    throw failure;
  }
  if (!columns) throw new FileRejected('empty: no header row');
  if (outcome.total === 0) throw new FileRejected('empty: a header and no rows');
  return outcome;
}
