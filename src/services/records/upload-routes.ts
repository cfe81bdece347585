import type { Readable } from 'node:stream';
import multipart from '@fastify/multipart';
import type { FastifyPluginAsync } from 'fastify';
import * as Type from 'typebox';
import { HttpProblem } from '../../platform/http/problem.js';
import type { FileStore } from './file-store.js';
import { receiveFile, safeFileName } from './ingester.js';
import { tenantScope, UploadParams } from './tenant-routes.js';
import type { TenantStore } from './tenant-store.js';
import type { UploadStore } from './upload-store.js';

export interface UploadDependencies {
  tenants: TenantStore;
  uploads: UploadStore;
  files: FileStore;
  clock: () => Date;
  newId: () => string;
  maxCsvBytes: number;
}

/**
 * Records' file routes: CSV files uploaded (multipart, streamed to S3) and an upload's rejects report
 * read back. The only routes that need S3 and multipart parsing, so they are a Lambda function of
 * their own, and the query routes' cold start loads neither (P5 in docs/performance.md).
 */
export function uploadRoutes(deps: UploadDependencies): FastifyPluginAsync {
  const { uploads, files, clock, newId, maxCsvBytes } = deps;
  return async (plugin) => {
    await plugin.register(multipart, { throwFileSizeLimit: true });
    const { app, tenant, tags, security, problems } = tenantScope(plugin, deps.tenants, clock);

    app.post(
      '/uploads',
      {
        schema: {
          tags,
          security,
          summary: 'Upload one or more CSV files; each is ingested asynchronously',
          consumes: ['multipart/form-data'],
          body: Type.Object({
            file: Type.Array(Type.String({ format: 'binary' }), {
              description: 'One or more CSV files (up to 20), each under any field name',
            }),
          }),
          response: {
            202: Type.Array(
              Type.Object({ uploadId: Type.String(), fileName: Type.String(), status: Type.String() }),
            ),
            ...problems,
          },
        },
        // The files are streamed in the handler, part by part; the schema documents them.
        validatorCompiler: () => () => true,
      },
      async (request, reply) => {
        if (!request.isMultipart())
          throw new HttpProblem(415, 'Send multipart/form-data with one or more CSV files.');
        const { id } = tenant(request);
        const accepted: { uploadId: string; fileName: string; status: string }[] = [];
        // Over the limit, a part is cut short one byte past it instead of failing the whole request: the
        // stored object is then itself too large, so ingestion refuses it whichever step runs first.
        const limits = { fileSize: maxCsvBytes + 1, files: 20 };
        for await (const part of request.files({ limits, throwFileSizeLimit: false })) {
          const uploadId = newId();
          const fileName = safeFileName(part.filename);
          const receivedAt = clock().toISOString();
          await receiveFile(
            { uploads, files, clock },
            { tenant: id, uploadId, fileName, receivedAt },
            part.file as Readable,
          );
          if (part.file.truncated) {
            const reason = `larger than SKIFF_MAX_CSV_BYTES (${maxCsvBytes} bytes)`;
            const rows = { total: 0, ingested: 0, rejected: 0 };
            await uploads.finish(id, uploadId, { status: 'failed', rows, errors: [], reason });
            accepted.push({ uploadId, fileName, status: 'failed' });
          } else {
            accepted.push({ uploadId, fileName, status: 'queued' });
          }
        }
        if (accepted.length === 0) throw new HttpProblem(400, 'The form has no files.');
        return reply.code(202).send(accepted);
      },
    );

    app.get(
      '/uploads/:uploadId/report',
      {
        schema: {
          tags,
          security,
          summary: 'The full rejects report of an upload, as CSV',
          params: UploadParams,
        },
      },
      async (request, reply) => {
        const upload = await uploads.get(tenant(request).id, request.params.uploadId);
        if (!upload?.reportKey) throw new HttpProblem(404, 'This upload has no rejects report.');
        reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="${upload.uploadId}-rejects.csv"`);
        return reply.send((await files.open(upload.reportKey)).body);
      },
    );
  };
}
