import type { Logger } from 'pino';
import { faultKind, isCodeError, isTransient } from '../../platform/aws/transient-error.js';
import { emitMetric } from '../../platform/metrics.js';
import { FileRejected, type ReadOutcome, readRecords } from './csv-reader.js';
import type { FileStore } from './file-store.js';
import type { RecordStore } from './record-store.js';
import { RejectsReport } from './rejects-report.js';
import type { Tenant } from './tenant-store.js';
import type { Upload, UploadStore } from './upload-store.js';

export interface FileIngestion {
  uploads: UploadStore;
  records: RecordStore;
  files: FileStore;
  clock: () => Date;
  log: Logger;
  maxCsvBytes: number;
}

/**
 * After how many stopped tries an error of the code fails the upload (see {@link stopped}). The same
 * as the ingest queue's receives before its dead letters (infra/stacks/records-stack.ts): an error
 * that came back five times will come back again.
 */
export const maxStoppedTries = 5;

/** The EMF metric counting files that ended `failed` (an alarm watches it). */
export const failedUploadsMetric = 'UploadsFailed';
/** The EMF metric counting tries stopped by anything but the file (the upload is tried again later). */
export const faultedUploadsMetric = 'UploadFaults';

export const reportKey = (tenant: string, uploadId: string) => `reports/${tenant}/${uploadId}.csv`;

/** Why a try is stopped when its invocation is about to end: on purpose, so no fault is counted. */
export class InvocationEnding extends Error {
  constructor() {
    super('the invocation is ending');
    this.name = 'InvocationEnding';
  }
}

const noRows: ReadOutcome = { total: 0, ingested: 0, rejected: 0 };
const replaced = 'the file was replaced before it was read; the new content is an upload of its own';

/**
 * Reads one upload's file into the records table, from `processing` to a final status. The caller
 * holds the tenant's lease. A file problem ends `failed`; any other error (throttling, a timeout, a
 * lost lease) puts the upload back to `queued` for a later try and is thrown to the caller, unless
 * {@link stopped} gives it up as a file problem.
 */
export async function ingestFile(
  deps: FileIngestion,
  tenant: Tenant,
  upload: Upload,
  signal: AbortSignal,
): Promise<void> {
  const { uploads, clock, log } = deps;
  const { uploadId } = upload;
  if (!(await uploads.begin(tenant.id, uploadId))) return;
  const fields = { event: 'upload', tenant: tenant.id, uploadId };
  const finish = (result: Parameters<UploadStore['finish']>[2]) =>
    uploads.finish(tenant.id, uploadId, { ...result, finishedAt: clock().toISOString() });
  try {
    const outcome = await readFile(deps, tenant, upload, signal);
    if (outcome === 'duplicate') return;
    const { rows, report } = outcome;
    const status = rows.rejected > 0 ? 'completed_with_errors' : 'completed';
    await finish({
      status,
      rows,
      errors: report.first,
      ...(report.written && { reportKey: report.key }),
    });
    log.info({ ...fields, status, ...rows }, 'upload ingested');
  } catch (error) {
    const rejected = error instanceof FileRejected ? error : await stopped(deps, upload, error, signal);
    if (!rejected) throw error;
    const rows = rejected.progress ?? noRows;
    await finish({ status: 'failed', rows, errors: [], reason: rejected.message });
    log.info({ ...fields, status: 'failed', ...rows, reason: rejected.message }, 'upload rejected');
    emitMetric(log, failedUploadsMetric, 1);
  }
}

/**
 * A try stopped by something other than the file. A passing fault, a lost lease or a fault of the
 * deployment is tried again for as long as it takes: the tenant's later files wait behind it, as
 * ordering means. An error of the code comes back on every try and would hold the tenant's files for
 * ever (as a column named `__proto__` once did). So once an upload's tries have been stopped
 * {@link maxStoppedTries} times, the last by an error of the code, it is failed as a file problem
 * would be (the answer), and the tenant's later files go on; undefined while it is to be tried
 * again. The reason names the error's kind only; the error's text may quote the file.
 */
async function stopped(
  deps: FileIngestion,
  upload: Upload,
  error: unknown,
  signal: AbortSignal,
): Promise<FileRejected | undefined> {
  const { uploads, log } = deps;
  const { tenant, uploadId } = upload;
  if (signal.reason instanceof InvocationEnding) {
    const fields = { event: 'upload', tenant, uploadId };
    await uploads.requeue(tenant, uploadId).then(
      () => log.info(fields, 'upload put back: its invocation is ending'),
      // Left `processing`: still open, so the next drain or the recovery task takes it all the same.
      (fault: unknown) => log.warn({ ...fields, fault: faultKind(fault) }, 'upload not put back'),
    );
    return undefined;
  }
  const fault = faultKind(error);
  const fields = { event: 'upload', tenant, uploadId, fault };
  const tries = await uploads.release(tenant, uploadId, fault).catch(() => 0);
  if (isTransient(error) || signal.aborted || !isCodeError(error) || tries < maxStoppedTries) {
    log.warn({ ...fields, tries }, 'upload stopped before its end; it will be tried again');
    emitMetric(log, faultedUploadsMetric, 1);
    return undefined;
  }
  // At error level, for the bug it is: the line that follows says the upload was rejected.
  log.error({ ...fields, tries }, 'upload stopped too often, the last time by an error of the importer');
  return new FileRejected(
    `stopped on ${tries} tries, the last by an error of the importer (${fault}); rows stored before stay`,
  );
}

async function readFile(deps: FileIngestion, tenant: Tenant, upload: Upload, signal: AbortSignal) {
  const { uploads, records, files, clock, log, maxCsvBytes } = deps;
  const { uploadId, objectKey } = upload;
  const object = await files.head(objectKey);
  if (!object) throw new FileRejected('the file is gone from the bucket');
  if (upload.eTag && object.eTag !== upload.eTag) throw new FileRejected(replaced);
  if (object.size > maxCsvBytes)
    throw new FileRejected(`larger than SKIFF_MAX_CSV_BYTES (${maxCsvBytes} bytes)`);
  const holder = await uploads.claimContent(tenant.id, await files.hash(objectKey), uploadId);
  if (holder) {
    await uploads.finish(tenant.id, uploadId, {
      status: 'duplicate',
      rows: noRows,
      errors: [],
      duplicateOf: holder,
      finishedAt: clock().toISOString(),
    });
    log.info(
      { event: 'upload', tenant: tenant.id, uploadId, status: 'duplicate', duplicateOf: holder },
      'upload is a duplicate',
    );
    return 'duplicate' as const;
  }
  const source = { fileName: upload.fileName, uploadId, ingestedAt: clock().toISOString() };
  // A newer upload of the tenant is already known (its file was heard of first, and may be ingested):
  // the rows it wrote are kept, so the newer file wins whatever order the files were heard of in.
  const [newest] = (await uploads.list(tenant.id, 1)).uploads;
  const keepNewer = newest !== undefined && newest.uploadId > uploadId;
  const report = new RejectsReport(files, reportKey(tenant.id, uploadId));
  try {
    const { body, eTag } = await files.open(objectKey);
    if (upload.eTag && eTag !== upload.eTag) {
      body.destroy();
      throw new FileRejected(replaced);
    }
    const sink = {
      write: (rows: Parameters<RecordStore['write']>[1]) =>
        records.write(tenant.id, rows, source, { keepNewer }),
      reject: report.add.bind(report),
    };
    const rows = await readRecords(body, tenant.timeZone, sink, { signal });
    await report.close();
    return { rows, report };
  } catch (error) {
    await report.abort();
    throw error;
  }
}
