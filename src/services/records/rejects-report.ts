import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import type { RowError } from './csv-rules.js';
import type { FileStore } from './file-store.js';

const cell = (value: string | number) => {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
};

/** One line of the rejects report (CSV, CRLF). */
const reportLine = (error: RowError) => `${[error.line, error.field, error.reason].map(cell).join(',')}\r\n`;

/**
 * The errors a report lists. A refused row can be three bytes (`x"`) and its line a hundred times
 * that, so a report of every error of a 50 MB file could reach gigabytes: more than a Lambda run
 * writes before its timeout, and a file that times out is tried again for ever. A report of this many
 * lines is at most about 30 MB (column names are at most 255 characters).
 */
export const maxReportErrors = 100_000;

/**
 * A file's rejects report, streamed to S3 as the errors come (multipart when large), so memory never
 * holds more than the first `keep` errors (shown in the upload's status) and one part in flight.
 * Nothing is written to S3 for a file without errors. After `limit` errors it lists no more, and its
 * last line says how many were left out.
 */
export class RejectsReport {
  readonly first: RowError[] = [];
  private body?: PassThrough;
  private uploading?: Promise<void>;
  private count = 0;

  constructor(
    private readonly files: FileStore,
    readonly key: string,
    private readonly keep = 100,
    private readonly limit = maxReportErrors,
  ) {}

  get written(): boolean {
    return this.body !== undefined;
  }

  /** Adds an error; when S3 is behind, the promise says to wait (it rejects if the upload failed). */
  add(error: RowError): undefined | Promise<void> {
    if (this.first.length < this.keep) this.first.push(error);
    if (!this.body) {
      this.body = new PassThrough();
      this.uploading = this.files.put(this.key, this.body, 'text/csv; charset=utf-8');
      this.uploading.catch(() => {});
      this.body.write('line,field,reason\r\n');
    }
    this.count += 1;
    if (this.count > this.limit) return undefined;
    if (this.body.write(reportLine(error))) return undefined;
    return Promise.race([once(this.body, 'drain').then(() => {}), this.uploading as Promise<void>]);
  }

  /** Ends the report and waits until S3 has it. */
  async close(): Promise<void> {
    if (!this.body) return;
    const left = this.count - this.limit;
    if (left > 0)
      this.body.write(
        `,,${cell(`${left} more errors not listed: the report keeps the first ${this.limit}`)}\r\n`,
      );
    this.body.end();
    await this.uploading;
  }

  /** Gives the report up (the file failed): the multipart upload is aborted, nothing is left behind. */
  async abort(): Promise<void> {
    if (!this.body) return;
    this.body.destroy(new Error('rejects report abandoned'));
    await this.uploading?.catch(() => {});
  }
}
