import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import {
  checkRow,
  headerProblem,
  normaliseHeader,
  type PatientRecord,
  type RowError,
  visitKey,
} from './csv-rules.js';

export class FileRejected extends Error {
  override name = 'FileRejected';
}

export interface ReadOutcome {
  total: number;
  ingested: number;
  rejected: number;
  errors: RowError[];
}

/** Refuses what is not text: a NUL byte, or bytes that are not UTF-8. */
async function* textOnly(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  for await (const chunk of source) {
    if (chunk.includes(0)) throw new FileRejected('not a text file (it contains NUL bytes)');
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

/**
 * Streams a CSV: RFC 4180 quoting (commas, quotes and line breaks inside notes), BOM or not, CRLF or
 * LF. Each good row goes to `write` in batches; each bad row is counted with its line. Memory holds one
 * batch and the keys seen so far (to refuse a visit repeated within the file).
 */
export async function readRecords(
  source: Readable,
  timeZone: string,
  write: (records: PatientRecord[]) => Promise<void>,
  batchSize = 1000,
): Promise<ReadOutcome> {
  const parser = parse({ bom: true, relax_column_count: true, skip_empty_lines: true, info: true });
  const input = textOnly(source as AsyncIterable<Buffer>);
  const pumping = (async () => {
    try {
      for await (const chunk of input)
        if (!parser.write(chunk)) await new Promise((resolve) => parser.once('drain', resolve));
      parser.end();
    } catch (error) {
      parser.destroy(error as Error);
    }
  })();

  const outcome: ReadOutcome = { total: 0, ingested: 0, rejected: 0, errors: [] };
  const seen = new Set<string>();
  let columns: string[] | undefined;
  let batch: PatientRecord[] = [];
  let nextLine = 1;
  // One batch is written while the next is parsed: two batches in memory at most.
  let writing: Promise<void> = Promise.resolve();
  const flush = async () => {
    await writing;
    if (batch.length === 0) return;
    const full = batch;
    batch = [];
    writing = write(full).then(() => {
      outcome.ingested += full.length;
    });
    // Observed now so a failure is never "unhandled"; the next flush still awaits and throws it.
    writing.catch(() => {});
  };
  try {
    for await (const { record, info } of parser as AsyncIterable<{
      record: string[];
      info: { lines: number };
    }>) {
      const line = nextLine;
      nextLine = info.lines + 1;
      if (!columns) {
        columns = normaliseHeader(record);
        const problem = headerProblem(columns);
        if (problem) throw new FileRejected(problem);
        continue;
      }
      outcome.total += 1;
      const checked = checkRow(columns, record, line, timeZone);
      const duplicate = 'record' in checked && seen.has(visitKey(checked.record));
      if ('errors' in checked || duplicate) {
        outcome.rejected += 1;
        outcome.errors.push(
          ...('errors' in checked
            ? checked.errors
            : [{ line, field: 'date_time', reason: 'repeats an earlier row for this patient and time' }]),
        );
        continue;
      }
      seen.add(visitKey(checked.record));
      batch.push(checked.record);
      if (batch.length >= batchSize) await flush();
    }
  } catch (error) {
    if (error instanceof FileRejected) throw error;
    const cause = (error as { cause?: unknown }).cause;
    if (cause instanceof FileRejected) throw cause;
    throw new FileRejected(`not a CSV file this importer can read: ${(error as Error).message}`);
  } finally {
    await pumping;
  }
  await flush();
  await writing;
  if (!columns) throw new FileRejected('empty: no header row');
  if (outcome.total === 0) throw new FileRejected('empty: a header and no rows');
  return outcome;
}
