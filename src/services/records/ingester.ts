import { createHash, randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Logger } from 'pino';
import { v7 as uuidV7 } from 'uuid';
import { keyDigest } from '../../platform/log.js';
import { emitMetric } from '../../platform/metrics.js';
import type { CreatedObject, HandleOptions } from '../../platform/service.js';
import type { FileStore, ObjectInfo } from './file-store.js';
import { InvocationEnding, ingestFile } from './ingest-file.js';
import type { RecordStore } from './record-store.js';
import type { TenantLease } from './tenant-lease.js';
import type { Tenant, TenantStore } from './tenant-store.js';
import { isFinal, type Upload, type UploadStore } from './upload-store.js';

export interface IngesterDependencies {
  uploads: UploadStore;
  records: RecordStore;
  tenants: TenantStore;
  files: FileStore;
  lease: TenantLease;
  clock: () => Date;
  log: Logger;
  maxCsvBytes: number;
  /** How long a tenant's lease lasts unless renewed; the holder renews it every third of that. */
  leaseMs?: number;
  /** How long an API upload may stay `receiving` (its object not yet stored) before it is failed. */
  receivingGraceMs?: number;
}

/** The EMF metric counting tenants whose recovery failed (the loop goes on with the others). */
export const recoveryFailuresMetric = 'UploadRecoveryFailures';

const apiKeyPattern = /^incoming\/([^/]+)\/([0-9a-f-]{36})\/([^/]+)$/;

/**
 * Where a file sits: `incoming/<tenant>/<uploadId>/<name>` from the API (`upload.csv`, or the client's
 * file name in objects stored before it was left out), `incoming/<tenant>/<anything>` dropped.
 */
export function parseIncomingKey(
  key: string,
): { tenant: string; uploadId?: string; fileName: string } | undefined {
  // A folder marker (the S3 console's "Create folder", SFTP gateways): an empty object, not a file.
  if (key.endsWith('/')) return undefined;
  const api = apiKeyPattern.exec(key);
  if (api) return { tenant: api[1] as string, uploadId: api[2] as string, fileName: api[3] as string };
  const dropped = /^incoming\/([^/]+)\/(.+)$/.exec(key);
  if (!dropped) return undefined;
  return { tenant: dropped[1] as string, fileName: dropped[2]?.split('/').pop() as string };
}

/**
 * A dropped object's upload id: the same for the same version (a redelivered event finds its upload),
 * new for new content under the same key (a nightly `export.csv`). Time-ordered like the API's UUIDv7
 * ids, from the object's Last-Modified, so a tenant's uploads sort by arrival.
 */
export function droppedUploadId(key: string, object: Pick<ObjectInfo, 'eTag' | 'lastModified'>): string {
  const random = createHash('sha256').update(`${key}\n${object.eTag}`).digest().subarray(0, 16);
  return uuidV7({ msecs: object.lastModified.getTime(), random });
}

/**
 * An API upload's object: the client's file name stays in the uploads table, out of the key, since
 * the bucket's access logs and S3 events carry keys in clear.
 */
export const incomingKey = (tenant: string, uploadId: string) => `incoming/${tenant}/${uploadId}/upload.csv`;

/** A file name safe as the last segment of an S3 key and in a report. */
export const safeFileName = (name: string) => name.replace(/[^\w.-]+/g, '_').slice(0, 200) || 'upload.csv';

/**
 * What the API and the CLI do with a file: register it as `receiving`, stream it to
 * `incoming/<tenant>/<uploadId>/upload.csv` (whose S3 event starts ingestion), then mark it `queued`.
 * If the stream breaks, the upload is failed at once rather than left for the grace period.
 */
export async function receiveFile(
  { uploads, files, clock }: { uploads: UploadStore; files: FileStore; clock: () => Date },
  upload: { tenant: string; uploadId: string; fileName: string; receivedAt: string },
  body: Readable,
): Promise<void> {
  const fileName = safeFileName(upload.fileName);
  const objectKey = incomingKey(upload.tenant, upload.uploadId);
  await uploads.register({ ...upload, fileName, objectKey }, 'receiving');
  try {
    await files.put(objectKey, body, 'text/csv');
  } catch (error) {
    const reason = 'the upload broke off before the whole file arrived';
    const rows = { total: 0, ingested: 0, rejected: 0 };
    const finishedAt = clock().toISOString();
    await uploads.finish(upload.tenant, upload.uploadId, {
      status: 'failed',
      rows,
      errors: [],
      reason,
      finishedAt,
    });
    throw error;
  }
  await uploads.markQueued(upload.tenant, upload.uploadId);
}

/**
 * The one ingestion pipeline behind the API, direct drops and the CLI: an object lands under
 * `incoming/<tenant>/`, and its tenant's worker takes it from open to a final status. One worker
 * per tenant at a time (the tenant lease), files oldest first, so between two files the newer one's
 * rows win on every runtime, however many processes or Lambdas share the work.
 */
export function ingester(deps: IngesterDependencies) {
  const { uploads, tenants, files, lease, clock, log } = deps;
  const { leaseMs = 60_000, receivingGraceMs = 15 * 60_000 } = deps;
  const running = new Set<Promise<void>>();

  /**
   * The oldest open upload ready to read, settling on the way those that need no more work. `seen`
   * (taken or found not ready in this drain) filters the index only: a pending id is always looked at
   * again, since someone asked for it since (e.g. a `receiving` upload whose object has now arrived).
   */
  async function nextUpload(tenant: Tenant, pending: string[], seen: Set<string>, holder: string) {
    const open = await uploads.open(tenant.id);
    const ids = new Set([...open.map((u) => u.uploadId).filter((id) => !seen.has(id)), ...pending]);
    for (const uploadId of [...ids].sort()) {
      const upload = open.find((u) => u.uploadId === uploadId) ?? (await uploads.get(tenant.id, uploadId));
      if (upload && !isFinal(upload) && (await ready(tenant, upload))) return upload;
      seen.add(uploadId);
      await lease.settle(tenant.id, holder, [uploadId], clock(), leaseMs);
    }
    return undefined;
  }

  /** A `receiving` upload is ready once its object exists; past the grace period it is failed. */
  async function ready(tenant: Tenant, upload: Upload): Promise<boolean> {
    if (upload.status !== 'receiving' || (await files.head(upload.objectKey))) return true;
    if (clock().getTime() - Date.parse(upload.receivedAt) < receivingGraceMs) return false;
    const rows = { total: 0, ingested: 0, rejected: 0 };
    await uploads.finish(tenant.id, upload.uploadId, {
      status: 'failed',
      rows,
      errors: [],
      reason: 'the upload never completed: its file did not arrive',
      finishedAt: clock().toISOString(),
    });
    return false;
  }

  /**
   * Takes the tenant's lease and ingests its open files until none is left; a no-op if held. When
   * `stopBy` aborts (the invocation is ending), the file being read is put back to `queued`, the
   * lease is let go, and the files left wait for the next event or the recovery task.
   */
  async function drain(tenant: Tenant, stopBy?: AbortSignal): Promise<void> {
    if (stopBy?.aborted) return;
    const holder = randomUUID();
    let pending = await lease.acquire(tenant.id, holder, clock(), leaseMs);
    if (!pending) return;
    const lost = new AbortController();
    const ending = () => lost.abort(new InvocationEnding());
    stopBy?.addEventListener('abort', ending, { once: true });
    if (stopBy?.aborted) ending();
    let renewedAt = Date.now();
    const heartbeat = setInterval(() => {
      // Renewals that keep failing are as good as a lost lease: stop before the deadline passes.
      if (Date.now() - renewedAt > (leaseMs * 2) / 3)
        lost.abort(new Error('the tenant lease could not be renewed'));
      lease.renew(tenant.id, holder, clock(), leaseMs).then(
        (held) => {
          if (held) renewedAt = Date.now();
          else lost.abort(new Error('the tenant lease was lost'));
        },
        () => {},
      );
    }, leaseMs / 3);
    const seen = new Set<string>();
    try {
      while (pending && !lost.signal.aborted) {
        const upload = await nextUpload(tenant, pending, seen, holder);
        if (!upload) {
          pending = await lease.release(tenant.id, holder);
          continue;
        }
        seen.add(upload.uploadId);
        await ingestFile(deps, tenant, upload, lost.signal);
        if (!(await lease.settle(tenant.id, holder, [upload.uploadId], clock(), leaseMs))) return;
      }
      // Stopped between files (renewals kept failing, or the invocation is ending): let go now.
      if (lost.signal.aborted) await lease.release(tenant.id, holder, true).catch(() => {});
    } catch (error) {
      await lease.release(tenant.id, holder, true).catch(() => {});
      // Stopped for the invocation's end, not failed: the event is handled, and its file queued.
      if (stopBy?.aborted) {
        log.info({ event: 'upload.stopped', tenant: tenant.id }, 'stopped before the invocation ends');
        return;
      }
      throw error;
    } finally {
      clearInterval(heartbeat);
      stopBy?.removeEventListener('abort', ending);
    }
  }

  /** Runs a drain, tracked so that shutdown (and tests) can wait for it. */
  function track(work: Promise<void>): Promise<void> {
    running.add(work);
    return work.finally(() => running.delete(work));
  }

  /** The upload an object stands for: the API's (registered when it began), or a dropped file's. */
  async function uploadFor(
    tenant: Tenant,
    place: { uploadId?: string; fileName: string },
    object: CreatedObject,
  ) {
    if (place.uploadId && (await uploads.get(tenant.id, place.uploadId))) return place.uploadId;
    const stored = await files.head(object.key);
    // The version this event names is gone; the version that replaced it has an event of its own.
    if (!stored || (object.eTag && object.eTag !== stored.eTag)) return undefined;
    const uploadId = droppedUploadId(object.key, stored);
    const fileName = place.fileName;
    const receivedAt = stored.lastModified.toISOString();
    const entry = {
      uploadId,
      tenant: tenant.id,
      fileName,
      objectKey: object.key,
      eTag: stored.eTag,
      receivedAt,
    };
    await uploads.register(entry, 'queued');
    return uploadId;
  }

  return {
    /** An object was created in the files bucket (S3 event, local or via SQS). */
    async objectCreated(object: CreatedObject, options?: HandleOptions): Promise<void> {
      const place = parseIncomingKey(object.key);
      if (!place) return;
      const keyHash = keyDigest(object.key);
      const tenant = await tenants.get(place.tenant);
      if (!tenant) {
        log.warn(
          { event: 'upload.unknown-tenant', keyHash },
          'file dropped for a tenant that does not exist; left alone',
        );
        return;
      }
      const uploadId = await uploadFor(tenant, place, object);
      if (!uploadId) {
        log.info(
          { event: 'upload.replaced', tenant: tenant.id, keyHash },
          'object replaced before it was read',
        );
        return;
      }
      await lease.enqueue(tenant.id, uploadId);
      await track(drain(tenant, options?.stopBy));
    },

    /**
     * Drains every tenant that has open uploads (run at start and on an interval): files a stopped
     * worker left, faults to try again, API uploads that never completed. One tenant's failure is
     * logged and counted, and the others go on.
     */
    async recover(): Promise<void> {
      for (const id of await tenants.ids()) {
        try {
          const tenant = await tenants.get(id);
          if (tenant && (await uploads.open(id)).length > 0) await track(drain(tenant));
        } catch (error) {
          const fault = error instanceof Error ? error.name : 'Error';
          log.error({ event: 'upload.recovery-failed', tenant: id, fault }, 'recovery failed for a tenant');
          emitMetric(log, recoveryFailuresMetric, 1);
        }
      }
    },

    /** Waits for every running drain (tests, shutdown). */
    async drain(): Promise<void> {
      while (running.size > 0) await Promise.allSettled([...running]);
    },
  };
}

export type Ingester = ReturnType<typeof ingester>;
