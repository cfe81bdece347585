import type { Readable } from 'node:stream';
import multipart, { type MultipartFile } from '@fastify/multipart';
import type { FastifyError, FastifyPluginAsync, FastifyRequest } from 'fastify';
import * as Type from 'typebox';
import { formLimitDetail } from '../../platform/http/multipart.js';
import { HttpProblem, toProblem } from '../../platform/http/problem.js';
import { ProblemSchema } from '../../platform/http/schemas.js';
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

/** Files one request may carry. */
const maxFiles = 20;
/**
 * Text fields are ignored, but the parser holds each in memory until the request ends: a few small
 * ones are let through (a browser form's submit button), no more.
 */
const maxFields = 10;
const maxFieldBytes = 1024;

type Accepted = { uploadId: string; fileName: string; status: string }[];

/**
 * A form that fails part-way: the files before the fault are stored and queued already, so the
 * problem lists them (`uploads`), and a client that sends the rest again knows what it has.
 */
function stoppedForm(
  error: FastifyError,
  request: FastifyRequest,
  accepted: Accepted,
  maxCsvBytes: number,
): Error {
  const counts = { files: maxFiles, fields: maxFields, fieldBytes: maxFieldBytes, fileBytes: maxCsvBytes };
  // A client that sent text fields may think they were read: they never are.
  const fieldsHint = error.code === 'FST_FIELDS_LIMIT' ? ' This route reads files only.' : '';
  const limit = formLimitDetail(error, counts)?.concat(fieldsHint);
  if (accepted.length === 0 && limit === undefined) return error;
  const problem = toProblem(error, request);
  const detail = limit ?? problem.detail ?? problem.title;
  if (accepted.length === 0) return new HttpProblem(problem.status, detail, {}, problem.type);
  return new HttpProblem(
    problem.status,
    `${detail} The ${accepted.length} file(s) read until then were accepted: see \`uploads\`.`,
    { uploads: accepted },
    problem.type,
  );
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
    // Over the limit, a part is cut short one byte past it instead of failing the whole request: the
    // stored object is then itself too large, so ingestion refuses it whichever step runs first.
    const formLimits = {
      fileSize: maxCsvBytes + 1,
      files: maxFiles,
      fields: maxFields,
      fieldSize: maxFieldBytes,
      parts: maxFiles + maxFields,
    };

    /** One file part stored and queued, or failed at once when it is over the size limit. */
    const receivePart = async (tenantId: string, part: MultipartFile): Promise<Accepted[number]> => {
      const uploadId = newId();
      const fileName = safeFileName(part.filename);
      const receivedAt = clock().toISOString();
      await receiveFile(
        { uploads, files, clock },
        { tenant: tenantId, uploadId, fileName, receivedAt },
        part.file as Readable,
      );
      if (!part.file.truncated) return { uploadId, fileName, status: 'queued' };
      const reason = `larger than SKIFF_MAX_CSV_BYTES (${maxCsvBytes} bytes)`;
      const rows = { total: 0, ingested: 0, rejected: 0 };
      await uploads.finish(tenantId, uploadId, { status: 'failed', rows, errors: [], reason });
      return { uploadId, fileName, status: 'failed' };
    };

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
              description: `One or more CSV files (up to ${maxFiles}), each under any field name; text fields are ignored`,
            }),
          }),
          response: {
            202: Type.Array(
              Type.Object({ uploadId: Type.String(), fileName: Type.String(), status: Type.String() }),
            ),
            ...problems,
            413: { ...ProblemSchema, description: 'Over a limit; files accepted before it are in `uploads`' },
          },
        },
        // The files are streamed in the handler, part by part; the schema documents them.
        validatorCompiler: () => () => true,
      },
      async (request, reply) => {
        if (!request.isMultipart())
          throw new HttpProblem(415, 'Send multipart/form-data with one or more CSV files.');
        const { id } = tenant(request);
        const accepted: Accepted = [];
        try {
          for await (const part of request.files({ limits: formLimits, throwFileSizeLimit: false })) {
            if (part.filename === '') {
              // A file input left empty: browsers send it with no file name and no bytes.
              part.file.resume();
              continue;
            }
            accepted.push(await receivePart(id, part));
          }
        } catch (error) {
          throw stoppedForm(error as FastifyError, request, accepted, maxCsvBytes);
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
