import type { Logger } from 'pino';
import { faultKind } from '../../platform/aws/transient-error.js';
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

/** The EMF metric counting files that ended `failed` (an alarm watches it). */
export const failedUploadsMetric = 'UploadsFailed';
/** The EMF metric counting tries stopped by a passing fault (the upload is tried again later). */
export const faultedUploadsMetric = 'UploadFaults';

export const reportKey = (tenant: string, uploadId: string) => `reports/${tenant}/${uploadId}.csv`;

const noRows: ReadOutcome = { total: 0, ingested: 0, rejected: 0 };
const replaced = 'the file was replaced before it was read; the new content is an upload of its own';

/**
 * Reads one upload's file into the records table, from `processing` to a final status. The caller
 * holds the tenant's lease. A file problem ends `failed`; any other error (throttling, a timeout, a
 * lost lease) puts the upload back to `queued` for a later try and is thrown to the caller.
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
    if (error instanceof FileRejected) {
      const rows = error.progress ?? noRows;
      await finish({ status: 'failed', rows, errors: [], reason: error.message });
      log.info({ ...fields, status: 'failed', ...rows, reason: error.message }, 'upload rejected');
      emitMetric(log, failedUploadsMetric, 1);
      return;
    }
    const fault = faultKind(error);
    log.warn({ ...fields, fault }, 'upload stopped by a passing fault; it will be tried again');
    emitMetric(log, faultedUploadsMetric, 1);
    await uploads.release(tenant.id, uploadId, fault).catch(() => {});
    throw error;
  }
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
