import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import * as Type from 'typebox';
import { openCursor, sealCursor } from '../../platform/http/cursor.js';
import { HttpProblem, validationProblem } from '../../platform/http/problem.js';
import { OrNull } from '../../platform/http/schemas.js';
import { registerCompatRoutes } from './compat-routes.js';
import { dateOnly, dayBounds, resolveDateTime } from './local-time.js';
import { RecordItem } from './record-schemas.js';
import type { RecordPage, RecordQuery, RecordStore } from './record-store.js';
import { tenantScope, UploadParams } from './tenant-routes.js';
import type { Tenant, TenantStore } from './tenant-store.js';
import type { Upload, UploadStore } from './upload-store.js';

export interface RecordsDependencies {
  tenants: TenantStore;
  uploads: UploadStore;
  records: RecordStore;
  clock: () => Date;
}

const Page = Type.Object({
  /** The tenant's IANA time zone: `date_time` values without an offset were read in it. */
  timeZone: Type.String(),
  items: Type.Array(RecordItem),
  nextCursor: OrNull(Type.String()),
});
const UploadView = Type.Object({
  uploadId: Type.String(),
  fileName: Type.String(),
  status: Type.String(),
  receivedAt: Type.String(),
  rows: Type.Object({ total: Type.Integer(), ingested: Type.Integer(), rejected: Type.Integer() }),
  errors: Type.Array(Type.Object({ line: Type.Integer(), field: Type.String(), reason: Type.String() })),
  reason: OrNull(Type.String()),
  duplicateOf: OrNull(Type.String()),
  reportUrl: OrNull(Type.String()),
  /** Tries stopped by anything but the file (throttling, a timeout, a fault of the deployment or the importer). */
  attempts: Type.Integer(),
});

const isPosition = (value: unknown): value is Record<string, string> =>
  typeof value === 'object' && value !== null && Object.values(value).every((v) => typeof v === 'string');

/** The caller's API key: cursors are sealed with it, so only its tenant's requests open them. */
const secretOf = (request: FastifyRequest) => String(request.headers['x-api-key']);

function positionFrom(request: FastifyRequest, cursor: string | undefined) {
  if (cursor === undefined) return undefined;
  const position = openCursor(cursor, secretOf(request), isPosition);
  if (!position)
    throw validationProblem([{ field: 'querystring.cursor', message: 'is not a cursor this API returned' }]);
  return position;
}

/**
 * Records' query routes: visits by patient, name and time, and the uploads' status. The uploads
 * themselves are `uploadRoutes` (`upload-routes.ts`), a Lambda function of their own.
 */
export function recordsRoutes(deps: RecordsDependencies): FastifyPluginAsync {
  const { uploads, records, clock } = deps;
  const pageView = (request: FastifyRequest, { timeZone }: Tenant, page: RecordPage) => ({
    timeZone,
    items: page.items,
    nextCursor: page.next ? sealCursor(page.next, secretOf(request)) : null,
  });
  const view = (upload: Upload) => ({
    uploadId: upload.uploadId,
    fileName: upload.fileName,
    status: upload.status,
    receivedAt: upload.receivedAt,
    rows: upload.rows,
    errors: upload.errors,
    reason: upload.reason ?? null,
    duplicateOf: upload.duplicateOf ?? null,
    reportUrl: upload.reportKey ? `/uploads/${upload.uploadId}/report` : null,
    attempts: upload.attempts ?? 0,
  });

  return async (plugin) => {
    const { app, tenant, tags, security, problems } = tenantScope(plugin, deps.tenants, clock);

    registerCompatRoutes(app, { records, tenant });

    app.get(
      '/uploads',
      {
        schema: {
          tags,
          security,
          summary: "The tenant's uploads, newest first",
          querystring: Type.Object({
            limit: Type.Integer({ minimum: 1, maximum: 100, default: 50 }),
            cursor: Type.Optional(Type.String({ maxLength: 1000 })),
          }),
          response: {
            200: Type.Object({
              items: Type.Array(UploadView),
              nextCursor: OrNull(Type.String()),
            }),
            ...problems,
          },
        },
      },
      async (request) => {
        const page = await uploads.list(
          tenant(request).id,
          request.query.limit,
          positionFrom(request, request.query.cursor),
        );
        const nextCursor = page.next ? sealCursor(page.next, secretOf(request)) : null;
        return { items: page.uploads.map(view), nextCursor };
      },
    );

    app.get(
      '/uploads/:uploadId',
      {
        schema: {
          tags,
          security,
          summary: "An upload's status and first 100 row errors",
          params: UploadParams,
          response: { 200: UploadView, ...problems },
        },
      },
      async (request) => {
        const upload = await uploads.get(tenant(request).id, request.params.uploadId);
        if (!upload) throw new HttpProblem(404, 'No such upload.');
        return view(upload);
      },
    );

    const Query = Type.Object({
      medical_record_number: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
      last_name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
      first_name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
      from: Type.Optional(Type.String({ maxLength: 40 })),
      to: Type.Optional(Type.String({ maxLength: 40 })),
      limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
      cursor: Type.Optional(Type.String({ maxLength: 2000 })),
    });
    /**
     * A bound in the tenant's zone, inclusive. A date alone covers its whole day: `from` is its first
     * millisecond, `to` its last, so a visit at the next day's midnight stays out. From and to the
     * same date is that day.
     */
    const instant = (request: FastifyRequest, field: 'from' | 'to', value: string | undefined) => {
      if (value === undefined) return undefined;
      const zone = tenant(request).timeZone;
      const resolved = dateOnly.test(value)
        ? dayBounds(value, zone)?.[field]
        : resolveDateTime(value, zone)?.utc;
      if (!resolved)
        throw validationProblem([
          { field: `querystring.${field}`, message: 'is not a date or date and time' },
        ]);
      return resolved;
    };

    app.get(
      '/records',
      {
        schema: {
          tags,
          security,
          summary: 'Find visits by patient, name and time; always by key or index',
          querystring: Query,
          response: { 200: Page, ...problems },
        },
      },
      async (request) => {
        const { limit, cursor, from, to, ...names } = request.query;
        const query: RecordQuery = {
          ...names,
          from: instant(request, 'from', from),
          to: instant(request, 'to', to),
        };
        // Both are UTC ISO instants, so text order is time order; DynamoDB refuses such a BETWEEN.
        if (query.from && query.to && query.from > query.to)
          throw validationProblem([{ field: 'querystring.from', message: 'is after to' }]);
        const page = await records.query(tenant(request).id, query, limit, positionFrom(request, cursor));
        return pageView(request, tenant(request), page);
      },
    );

    app.get(
      '/records/:medical_record_number',
      {
        schema: {
          tags,
          security,
          summary: "A patient's visits, newest first",
          params: Type.Object({ medical_record_number: Type.String({ minLength: 1, maxLength: 64 }) }),
          querystring: Type.Object({
            limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
            cursor: Type.Optional(Type.String({ maxLength: 2000 })),
          }),
          response: { 200: Page, ...problems },
        },
      },
      async (request) => {
        const query = { medical_record_number: request.params.medical_record_number, newestFirst: true };
        const page = await records.query(
          tenant(request).id,
          query,
          request.query.limit,
          positionFrom(request, request.query.cursor),
        );
        return pageView(request, tenant(request), page);
      },
    );
  };
}
