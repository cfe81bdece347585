import { createReadStream, statSync } from 'node:fs';
import { basename } from 'node:path';
import type { Writable } from 'node:stream';
import { v7 as uuidV7 } from 'uuid';
import type { AwsClients } from '../../platform/aws/clients.js';
import type { ResolvedResources } from '../../platform/resources.js';
import { isTimeZone } from '../../platform/time-zone.js';
import { s3FileStore } from './file-store.js';
import { receiveFile } from './ingester.js';
import type { recordsResources } from './resources.js';
import { dynamoTenantStore, tenantIdPattern } from './tenant-store.js';
import { dynamoUploadStore, type Upload } from './upload-store.js';

const final = ['completed', 'completed_with_errors', 'duplicate', 'failed'];
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A one-line progress bar on a terminal, redrawn in place; plain lines elsewhere (CI, pipes). */
function progress(out: Writable & { isTTY?: boolean }, total: number) {
  let last = '';
  return (done: number, label: string) => {
    const width = 30;
    const filled = Math.round((done / Math.max(total, 1)) * width);
    const line = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${label}`;
    if (out.isTTY) out.write(`\r${line.padEnd(last.length)}`);
    else if (line !== last) out.write(`${line}\n`);
    last = line;
  };
}

/** The records operator commands; they use the service's own stores, so rules are never copied. */
export function recordsCommands(
  aws: AwsClients,
  resources: ResolvedResources<typeof recordsResources>,
  out: Writable,
) {
  const tenants = dynamoTenantStore(aws.documents, resources.tables.tenants.name);
  const uploads = dynamoUploadStore(aws.documents, resources.tables.uploads.name);
  const files = s3FileStore(aws, resources.buckets.files.name);

  return {
    async addTenant(id: string, timeZone: string): Promise<string> {
      if (!new RegExp(tenantIdPattern).test(id)) throw new Error(`tenant id must match ${tenantIdPattern}`);
      if (!isTimeZone(timeZone)) throw new Error(`${timeZone} is not an IANA time zone`);
      if (!(await tenants.create({ id, timeZone })))
        throw new Error(`tenant ${id} already exists (use: skiff tenants key ${id})`);
      return tenants.addKey(id);
    },

    async addKey(id: string): Promise<string> {
      if (!(await tenants.get(id))) throw new Error(`no tenant ${id}`);
      return tenants.addKey(id);
    },

    /** Uploads the files as the API does, then waits for every status; true when none failed. */
    async ingest(tenantId: string, paths: string[]): Promise<boolean> {
      if (!(await tenants.get(tenantId))) throw new Error(`no tenant ${tenantId}`);
      const bar = progress(out, paths.length * 2);
      const sent: { uploadId: string; path: string }[] = [];
      for (const path of paths) {
        statSync(path);
        const uploadId = uuidV7();
        const fileName = basename(path);
        const receivedAt = new Date().toISOString();
        await receiveFile(
          { uploads, files, clock: () => new Date() },
          { tenant: tenantId, uploadId, fileName, receivedAt },
          createReadStream(path),
        );
        sent.push({ uploadId, path });
        bar(sent.length, `uploaded ${fileName}`);
      }
      const results = new Map<string, Upload>();
      for (let waited = 0; results.size < sent.length; waited += 200) {
        if (waited > 600_000) throw new Error('gave up waiting for ingestion after 10 minutes');
        for (const { uploadId } of sent) {
          const upload = results.has(uploadId) ? undefined : await uploads.get(tenantId, uploadId);
          if (upload && final.includes(upload.status)) results.set(uploadId, upload);
        }
        bar(sent.length + results.size, 'ingesting');
        if (results.size < sent.length) await pause(200);
      }
      out.write('\n');
      for (const { uploadId, path } of sent) {
        const { status, rows, reason } = results.get(uploadId) as Upload;
        out.write(
          `${basename(path)}  ${status}  rows ${rows.total}, ingested ${rows.ingested}, rejected ${rows.rejected}${reason ? `  (${reason})` : ''}  upload ${uploadId}\n`,
        );
      }
      return [...results.values()].every((u) => u.status !== 'failed');
    },
  };
}
