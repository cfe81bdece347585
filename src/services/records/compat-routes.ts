import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import * as Type from 'typebox';
import { validationProblem } from '../../platform/http/problem.js';
import { dateOnly, dayBounds, resolveDateTime } from './local-time.js';
import { RecordItem } from './record-schemas.js';
import type { RecordQuery, RecordStore, StoredRecord } from './record-store.js';
import type { Tenant } from './tenant-store.js';

const keys = ['medical_record_number', 'first_name', 'last_name', 'date_time'] as const;
const maxItems = 1000;

/** `date_time` matches a visit at that instant, or any visit on that local day when only a date is given. */
function timeQuery(value: string, zone: string): RecordQuery | undefined {
  if (dateOnly.test(value)) return dayBounds(value, zone);
  const instant = resolveDateTime(value, zone);
  return instant && { from: instant.utc, to: instant.utc };
}

/**
 * Every row with the same keys in the same order, as the front end needs: it takes its columns from
 * the first row's keys and each row's cells in that row's own order. Rows from files with other
 * extra columns (or the same ones in another order) get each column, empty where they have none.
 */
function sameColumns(items: StoredRecord[]): StoredRecord[] {
  const columns = [...new Set(items.flatMap((item) => Object.keys(item)))];
  return items.map(
    (item) =>
      Object.fromEntries(
        columns.map((column) => [column, (item as unknown as Record<string, unknown>)[column] ?? '']),
      ) as unknown as StoredRecord,
  );
}

/**
 * The routes the brief's provided front end calls: `GET /items/` with headers `key` and `value`
 * (answering a plain array), and `GET /healthcheck/`. They sit on the same tenant-scoped queries.
 */
export function registerCompatRoutes(
  plugin: FastifyInstance,
  { records, tenant }: { records: RecordStore; tenant: (request: FastifyRequest) => Tenant },
): void {
  const app = plugin.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['records (front-end compatibility)'];

  app.get(
    '/healthcheck/',
    {
      config: { public: true },
      schema: {
        tags,
        summary: 'Liveness, as the front end expects it',
        response: { 200: Type.Array(Type.Object({ status: Type.Literal('ok') })) },
      },
    },
    async () => [{ status: 'ok' as const }],
  );

  app.get(
    '/items/',
    {
      schema: {
        tags,
        security: [{ apiKey: [] }],
        summary: 'Records where the header `key` field equals the header `value`, as a plain array',
        headers: Type.Object({
          key: Type.Union(
            keys.map((k) => Type.Literal(k)),
            { 'x-message': `must be one of ${keys.join(', ')}` },
          ),
          value: Type.String({ minLength: 1, maxLength: 100 }),
        }),
        response: { 200: Type.Array(RecordItem) },
      },
    },
    async (request) => {
      const { key, value } = request.headers;
      const { id, timeZone } = tenant(request);
      const query = key === 'date_time' ? timeQuery(value, timeZone) : { [key]: value };
      if (!query)
        throw validationProblem([{ field: 'headers.value', message: 'is not a date or date and time' }]);
      const items = [];
      let after: Record<string, unknown> | undefined;
      do {
        const page = await records.query(id, query, maxItems - items.length, after);
        items.push(...page.items);
        after = page.next;
      } while (after && items.length < maxItems);
      return sameColumns(items);
    },
  );
}
