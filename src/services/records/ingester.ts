import type { Readable } from 'node:stream';
import type { Logger } from 'pino';
import { v5 as uuidFromName } from 'uuid';
import { emitMetric } from '../../platform/metrics.js';
import { FileRejected, readRecords } from './csv-reader.js';
import type { FileStore } from './file-store.js';
import type { RecordStore } from './record-store.js';
import { rejectsReport } from './rejects-report.js';
import type { Tenant, TenantStore } from './tenant-store.js';
import type { UploadStore } from './upload-store.js';

export interface IngesterDependencies {
  uploads: UploadStore;
  records: RecordStore;
  tenants: TenantStore;
  files: FileStore;
  clock: () => Date;
  log: Logger;
  maxCsvBytes: number;
  /** How long a worker holds an upload before another may take it over (crash recovery). */
  leaseMs?: number;
}

const keyNamespace = '2f0c6f3e-8d1b-4e55-9a43-6b1f0d7c9e21';

/** The EMF metric counting files that ended `failed` (an alarm watches it). */
export const failedUploadsMetric = 'UploadsFailed';
const uploadKeyPattern = /^incoming\/([^/]+)\/([0-9a-f-]{36})\/([^/]+)$/;

/** Where a file sits: `incoming/<tenant>/<uploadId>/<name>` from the API, `incoming/<tenant>/<anything>` dropped. */
export function parseIncomingKey(
  key: string,
): { tenant: string; uploadId: string; fileName: string } | undefined {
  const api = uploadKeyPattern.exec(key);
  if (api) return { tenant: api[1] as string, uploadId: api[2] as string, fileName: api[3] as string };
  const dropped = /^incoming\/([^/]+)\/(.+)$/.exec(key);
  if (!dropped) return undefined;
  // A dropped file gets an id from its key, so a redelivered event finds the same upload.
  const fileName = dropped[2]?.split('/').pop() as string;
  return { tenant: dropped[1] as string, uploadId: uuidFromName(key, keyNamespace), fileName };
}

export const incomingKey = (tenant: string, uploadId: string, fileName: string) =>
  `incoming/${tenant}/${uploadId}/${fileName}`;
export const reportKey = (tenant: string, uploadId: string) => `reports/${tenant}/${uploadId}.csv`;

/** A file name safe as the last segment of an S3 key and in a report. */
export const safeFileName = (name: string) => name.replace(/[^\w.-]+/g, '_').slice(0, 200) || 'upload.csv';

/**
 * What the API and the CLI do with a file: register it as a queued upload, then stream it to
 * `incoming/<tenant>/<uploadId>/<name>`, where its S3 event starts ingestion.
 */
export async function receiveFile(
  { uploads, files }: { uploads: UploadStore; files: FileStore },
  upload: { tenant: string; uploadId: string; fileName: string; receivedAt: string },
  body: Readable,
): Promise<void> {
  const fileName = safeFileName(upload.fileName);
  const objectKey = incomingKey(upload.tenant, upload.uploadId, fileName);
  await uploads.register({ ...upload, fileName, objectKey });
  await files.put(objectKey, body, 'text/csv');
}

/**
 * The one ingestion pipeline behind the API, direct drops and the CLI: an object lands under
 * `incoming/<tenant>/`, and this takes it from `queued` to a final status. Files of one tenant are
 * ingested one at a time, in arrival order, so that between two files the newer one's rows win.
 */
export function ingester(deps: IngesterDependencies) {
  const { uploads, records, tenants, files, clock, log, maxCsvBytes, leaseMs = 5 * 60_000 } = deps;
  const queues = new Map<string, Promise<void>>();

  async function ingest(tenant: Tenant, uploadId: string): Promise<void> {
    if (!(await uploads.begin(tenant.id, uploadId, clock(), leaseMs))) return;
    const upload = await uploads.get(tenant.id, uploadId);
    if (!upload) return;
    const fields = { event: 'upload', tenant: tenant.id, uploadId };
    const empty = { total: 0, ingested: 0, rejected: 0 };
    try {
      const size = await files.size(upload.objectKey);
      if (size === undefined) throw new FileRejected('the file is gone from the bucket');
      if (size > maxCsvBytes)
        throw new FileRejected(`larger than SKIFF_MAX_CSV_BYTES (${maxCsvBytes} bytes)`);
      const holder = await uploads.claimContent(tenant.id, await files.hash(upload.objectKey), uploadId);
      if (holder) {
        await uploads.finish(tenant.id, uploadId, {
          status: 'duplicate',
          rows: empty,
          errors: [],
          duplicateOf: holder,
          finishedAt: clock().toISOString(),
        });
        log.info({ ...fields, status: 'duplicate', duplicateOf: holder }, 'upload is a duplicate');
        return;
      }
      const source = {
        fileName: upload.fileName,
        uploadId,
        receivedAt: upload.receivedAt,
        ingestedAt: clock().toISOString(),
      };
      const outcome = await readRecords(await files.open(upload.objectKey), tenant.timeZone, (rows) =>
        records.write(tenant.id, rows, source),
      );
      const report = outcome.rejected > 0 ? reportKey(tenant.id, uploadId) : undefined;
      if (report) await files.putText(report, rejectsReport(outcome.errors), 'text/csv');
      const status = outcome.rejected > 0 ? 'completed_with_errors' : 'completed';
      const { total, ingested, rejected } = outcome;
      await uploads.finish(tenant.id, uploadId, {
        status,
        rows: { total, ingested, rejected },
        errors: outcome.errors.slice(0, 100),
        ...(report && { reportKey: report }),
        finishedAt: clock().toISOString(),
      });
      log.info({ ...fields, status, total, ingested, rejected }, 'upload ingested');
    } catch (error) {
      if (!(error instanceof FileRejected)) throw error;
      await uploads.finish(tenant.id, uploadId, {
        status: 'failed',
        rows: empty,
        errors: [],
        reason: error.message,
        finishedAt: clock().toISOString(),
      });
      log.info({ ...fields, status: 'failed', reason: error.message }, 'upload rejected');
      emitMetric(log, failedUploadsMetric, 1);
    }
  }

  /** Runs `work` after the tenant's earlier files; a failure does not block later ones. */
  function inTenantOrder(tenant: string, work: () => Promise<void>): Promise<void> {
    const previous = queues.get(tenant) ?? Promise.resolve();
    const next = previous.then(work, work);
    queues.set(
      tenant,
      next.catch(() => {}),
    );
    return next;
  }

  return {
    /** An object was created in the files bucket (S3 event, local or via SQS). */
    async objectCreated(key: string): Promise<void> {
      const place = parseIncomingKey(key);
      if (!place) return;
      const tenant = await tenants.get(place.tenant);
      if (!tenant) {
        log.warn(
          { event: 'upload.unknown-tenant', key },
          'file dropped for a tenant that does not exist; left alone',
        );
        return;
      }
      await uploads.register({
        ...place,
        tenant: tenant.id,
        objectKey: key,
        receivedAt: clock().toISOString(),
      });
      await inTenantOrder(tenant.id, () => ingest(tenant, place.uploadId));
    },

    /** Picks up uploads a stopped worker left queued or processing (run at start and on an interval). */
    async recover(): Promise<void> {
      for (const id of await tenants.ids()) {
        const tenant = await tenants.get(id);
        if (!tenant) continue;
        for (const upload of await uploads.unfinished(id, clock())) {
          await inTenantOrder(id, () => ingest(tenant, upload.uploadId));
        }
      }
    },

    /** Waits for every queued file (tests, shutdown). */
    async drain(): Promise<void> {
      await Promise.all([...queues.values()]);
    },
  };
}

export type Ingester = ReturnType<typeof ingester>;
