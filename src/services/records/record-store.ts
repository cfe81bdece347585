import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { batchGet } from '../../platform/aws/batch-get.js';
import { batchPut } from '../../platform/aws/batch-write.js';
import { queryPage } from '../../platform/aws/paged-query.js';
import type { PatientRecord } from './csv-rules.js';

export interface StoredRecord extends PatientRecord {
  source_file: string;
  upload_id: string;
  ingested_at: string;
}

export interface RecordQuery {
  medical_record_number?: string;
  last_name?: string;
  first_name?: string;
  /** ISO instants bounding `date_time_utc`, inclusive. */
  from?: string;
  to?: string;
  newestFirst?: boolean;
}

export interface RecordPage {
  items: StoredRecord[];
  next?: Record<string, unknown>;
}

/** The records port. Every call names the tenant; keys embed it, so nothing crosses tenants. */
export interface RecordStore {
  /**
   * Writes rows from one file, replacing what is stored for the same visits. "Newer file wins" holds
   * because a tenant's files are ingested one at a time, in order (see the ingester's tenant lease).
   */
  write(
    tenant: string,
    records: PatientRecord[],
    source: SourceFile,
    options?: { keepNewer?: boolean },
  ): Promise<void>;
  query(
    tenant: string,
    query: RecordQuery,
    limit: number,
    after?: Record<string, unknown>,
  ): Promise<RecordPage>;
}

export interface SourceFile {
  fileName: string;
  uploadId: string;
  ingestedAt: string;
}

/**
 * BatchWriteItem calls in flight for one write of many rows (P4's seeding). Ingestion hands over one
 * batch at a time and keeps its own window of calls in flight (`readRecords`, 16).
 */
const writeConcurrency = 8;

const pk = (tenant: string, mrn: string) => `T#${tenant}#MRN#${mrn}`;
/**
 * A name as searched: one spelling (NFC) for composed and decomposed forms, as files from different
 * systems write `Müller` either way, and case-insensitive; no space around it, as the importer trims
 * the file's values (so stored keys are the same with or without the trim).
 */
const nameKey = (tenant: string, name: string) => `T#${tenant}#${name.trim().normalize('NFC').toLowerCase()}`;
const internal = ['pk', 'sk', 'lastNameKey', 'firstNameKey', 'tenantKey', 'tenant', 'received_at'];

/** Flat, as the front end shows it: the file's extra columns beside the known fields. */
function toStored(item: Record<string, unknown>): StoredRecord {
  const { extra, ...known } = Object.fromEntries(
    Object.entries(item).filter(([name]) => !internal.includes(name)),
  );
  return { ...(extra as Record<string, string> | undefined), ...known } as unknown as StoredRecord;
}

/**
 * The rows a newer upload has not already written: for a file ingested after a newer one of the same
 * tenant (it arrived, or was heard of, late), so the newer file still wins. Upload ids are UUIDv7, in
 * the order the files arrived. One BatchGetItem per 100 rows, and only on that rare path: files
 * ingested in order are written blind.
 */
async function withoutNewer(
  documents: DynamoDBDocumentClient,
  table: string,
  items: { pk: string; sk: string }[],
  uploadId: string,
) {
  const stored = await batchGet(
    documents,
    table,
    items.map(({ pk, sk }) => ({ pk, sk })),
    { expression: '#pk, #sk, #upload', names: { '#pk': 'pk', '#sk': 'sk', '#upload': 'upload_id' } },
  );
  const newer = new Set(
    stored.filter((row) => String(row.upload_id) > uploadId).map((row) => `${row.pk}|${row.sk}`),
  );
  return items.filter(({ pk, sk }) => !newer.has(`${pk}|${sk}`));
}

/** A row as stored: its fields, the keys of the table and its indexes, and where it came from. */
interface StoredItem extends Omit<StoredRecord, 'extra'> {
  extra?: Record<string, string>;
  pk: string;
  sk: string;
  lastNameKey: string;
  firstNameKey: string;
  tenantKey: string;
  tenant: string;
}

/**
 * The item that stores a row: its fields, its extra columns when it has any, and the keys. Spelled
 * out rather than spread: on Node 20, an object spread followed by added properties (`{ ...record,
 * pk, … }`) costs about 2 µs per property added, 20 µs a row here against 0.2 for this literal;
 * Node 22 and 24 have no such cliff (docs/performance-log.md).
 */
function itemOf(tenant: string, record: PatientRecord, source: SourceFile): StoredItem {
  const item: StoredItem = {
    medical_record_number: record.medical_record_number,
    first_name: record.first_name,
    last_name: record.last_name,
    date_time: record.date_time,
    date_time_utc: record.date_time_utc,
    doctors_notes: record.doctors_notes,
    pk: pk(tenant, record.medical_record_number),
    sk: record.date_time_utc,
    lastNameKey: nameKey(tenant, record.last_name),
    firstNameKey: nameKey(tenant, record.first_name),
    tenantKey: `T#${tenant}`,
    tenant,
    source_file: source.fileName,
    upload_id: source.uploadId,
    ingested_at: source.ingestedAt,
  };
  if (Object.keys(record.extra).length > 0) item.extra = record.extra;
  return item;
}

export function dynamoRecordStore(documents: DynamoDBDocumentClient, table: string): RecordStore {
  return {
    async write(tenant, records, source, { keepNewer = false } = {}) {
      const items = records.map((record) => itemOf(tenant, record, source));
      const kept = keepNewer ? await withoutNewer(documents, table, items, source.uploadId) : items;
      await batchPut(documents, table, kept, { concurrency: writeConcurrency });
    },

    async query(tenant, query, limit, after) {
      const range =
        query.from && query.to
          ? 'sk BETWEEN :from AND :to'
          : query.from
            ? 'sk >= :from'
            : query.to
              ? 'sk <= :to'
              : undefined;
      const [index, keyName, keyValue] = query.medical_record_number
        ? [undefined, 'pk', pk(tenant, query.medical_record_number)]
        : query.last_name
          ? ['byLastName', 'lastNameKey', nameKey(tenant, query.last_name)]
          : query.first_name
            ? ['byFirstName', 'firstNameKey', nameKey(tenant, query.first_name)]
            : ['byTenant', 'tenantKey', `T#${tenant}`];
      // Fields not used as the key narrow the page further (case-insensitive names).
      const filters: string[] = [];
      const values: Record<string, unknown> = { ':key': keyValue };
      if (query.last_name && keyName !== 'lastNameKey') {
        filters.push('lastNameKey = :last');
        values[':last'] = nameKey(tenant, query.last_name);
      }
      if (query.first_name && keyName !== 'firstNameKey') {
        filters.push('firstNameKey = :first');
        values[':first'] = nameKey(tenant, query.first_name);
      }
      if (query.from) values[':from'] = query.from;
      if (query.to) values[':to'] = query.to;
      const { Items = [], LastEvaluatedKey } = await queryPage(documents, {
        TableName: table,
        IndexName: index,
        KeyConditionExpression: `#key = :key${range ? ` AND ${range}` : ''}`,
        ExpressionAttributeNames: { '#key': keyName },
        ExpressionAttributeValues: values,
        ...(filters.length > 0 && { FilterExpression: filters.join(' AND ') }),
        ScanIndexForward: !query.newestFirst,
        Limit: limit,
        ExclusiveStartKey: after,
      });
      return { items: Items.map(toStored), ...(LastEvaluatedKey && { next: LastEvaluatedKey }) };
    },
  };
}
