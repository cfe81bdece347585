import { randomUUID } from 'node:crypto';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unlessConditionFails } from '../../platform/aws/conditional-write.js';
import { queryPage } from '../../platform/aws/paged-query.js';
import type { RowError } from './csv-rules.js';

export type UploadStatus =
  | 'receiving'
  | 'queued'
  | 'processing'
  | 'completed'
  | 'completed_with_errors'
  | 'duplicate'
  | 'failed';

export interface Upload {
  uploadId: string;
  tenant: string;
  fileName: string;
  objectKey: string;
  status: UploadStatus;
  receivedAt: string;
  rows: { total: number; ingested: number; rejected: number };
  /** The first 100 row errors; all of them are in the report. */
  errors: RowError[];
  reason?: string;
  reportKey?: string;
  duplicateOf?: string;
  finishedAt?: string;
  /** A dropped file's ETag: the version this upload is about (new content under a key is a new upload). */
  eTag?: string;
  /**
   * Tries stopped by something other than the file (throttling, a timeout, a lost lease, an unexpected
   * error); the upload was left for a later try.
   */
  attempts?: number;
}

/** An upload that will change no more. */
export const isFinal = (upload: Pick<Upload, 'status'>) =>
  !['receiving', 'queued', 'processing'].includes(upload.status);

export interface UploadPage {
  uploads: Upload[];
  next?: Record<string, unknown>;
}

/** The uploads port: each file's status, and claims on file contents (one ingestion per content). */
export interface UploadStore {
  /**
   * Records an upload unless it is already known (a redelivered event): `receiving` while the API
   * still streams it to S3, `queued` once its object exists.
   */
  register(
    upload: Pick<Upload, 'uploadId' | 'tenant' | 'fileName' | 'objectKey' | 'receivedAt' | 'eTag'>,
    status: 'receiving' | 'queued',
  ): Promise<void>;
  /** The API finished storing the file: `receiving` becomes `queued` (unless ingestion already began). */
  markQueued(tenant: string, uploadId: string): Promise<void>;
  get(tenant: string, uploadId: string): Promise<Upload | undefined>;
  list(tenant: string, limit: number, after?: Record<string, unknown>): Promise<UploadPage>;
  /** Takes an open upload to `processing`; false if it is final. The tenant lease says who may. */
  begin(tenant: string, uploadId: string): Promise<boolean>;
  /**
   * Something other than the file stopped this try: back to `queued` for a later one, with the
   * fault's kind. Answers how many of its tries have been stopped so far (0 if it is final).
   */
  release(tenant: string, uploadId: string, fault: string): Promise<number>;
  /** Back to `queued` for a later try, counting nothing: a try stopped on purpose, not by a fault. */
  requeue(tenant: string, uploadId: string): Promise<void>;
  /**
   * Claims a content hash for this upload. Answers the upload that holds it when that is another
   * one still valid (processing or done); a claim by a failed upload is taken over.
   */
  claimContent(tenant: string, hash: string, uploadId: string): Promise<string | undefined>;
  finish(
    tenant: string,
    uploadId: string,
    result: Pick<Upload, 'status' | 'rows' | 'errors'> & Partial<Upload>,
  ): Promise<void>;
  /** The tenant's uploads that are not final, oldest first (upload ids sort by time). */
  open(tenant: string): Promise<Upload[]>;
}

const tenantKey = (tenant: string) => `T#${tenant}`;
const uploadKey = (uploadId: string) => `UPLOAD#${uploadId}`;
const contentKey = (hash: string) => `HASH#${hash}`;

function toUpload(item: Record<string, unknown>): Upload {
  const { pk: _pk, sk: _sk, openKey: _open, lastFault: _fault, lastRelease: _release, ...upload } = item;
  return upload as unknown as Upload;
}

export function dynamoUploadStore(documents: DynamoDBDocumentClient, table: string): UploadStore {
  const getItem = async (tenant: string, sk: string) =>
    (
      await documents.send(
        new GetCommand({ TableName: table, Key: { pk: tenantKey(tenant), sk }, ConsistentRead: true }),
      )
    ).Item;

  /** Sets an upload's status if `condition` holds; undefined when it does not. */
  const updateStatus = (
    tenant: string,
    uploadId: string,
    status: UploadStatus,
    condition: string,
    values: Record<string, unknown> = {},
    more = '',
  ) =>
    unlessConditionFails(
      documents.send(
        new UpdateCommand({
          TableName: table,
          Key: { pk: tenantKey(tenant), sk: uploadKey(uploadId) },
          UpdateExpression: `SET #status = :status${more}`,
          ConditionExpression: condition,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':status': status, ...values },
          ReturnValues: 'UPDATED_NEW',
        }),
      ),
    );

  return {
    async register(upload, status) {
      await unlessConditionFails(
        documents.send(
          new PutCommand({
            TableName: table,
            Item: {
              pk: tenantKey(upload.tenant),
              sk: uploadKey(upload.uploadId),
              ...upload,
              // In the sparse openUploads index until finish() removes it.
              openKey: tenantKey(upload.tenant),
              status,
              rows: { total: 0, ingested: 0, rejected: 0 },
              errors: [],
            },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      );
    },

    async get(tenant, uploadId) {
      const item = await getItem(tenant, uploadKey(uploadId));
      return item ? toUpload(item) : undefined;
    },

    async list(tenant, limit, after) {
      const { Items = [], LastEvaluatedKey } = await queryPage(documents, {
        TableName: table,
        KeyConditionExpression: 'pk = :tenant AND begins_with(sk, :upload)',
        ExpressionAttributeValues: { ':tenant': tenantKey(tenant), ':upload': 'UPLOAD#' },
        // Upload ids are UUIDv7: newest first is descending key order.
        ScanIndexForward: false,
        Limit: limit,
        ExclusiveStartKey: after,
      });
      return { uploads: Items.map(toUpload), ...(LastEvaluatedKey && { next: LastEvaluatedKey }) };
    },

    async begin(tenant, uploadId) {
      const begun = await updateStatus(tenant, uploadId, 'processing', 'attribute_exists(openKey)');
      return begun !== undefined;
    },

    async markQueued(tenant, uploadId) {
      await updateStatus(tenant, uploadId, 'queued', '#status = :receiving', { ':receiving': 'receiving' });
    },

    async release(tenant, uploadId, fault) {
      // The release's own id: when one that landed is sent again by the SDK, it fails on it instead
      // of counting the try twice (which gave up on an upload before its tries were spent).
      const release = randomUUID();
      const released = await updateStatus(
        tenant,
        uploadId,
        'queued',
        'attribute_exists(openKey) AND (attribute_not_exists(lastRelease) OR lastRelease <> :release)',
        { ':fault': fault, ':one': 1, ':release': release },
        ', lastFault = :fault, lastRelease = :release ADD attempts :one',
      );
      if (released) return Number(released.Attributes?.attempts ?? 0);
      const item = await getItem(tenant, uploadKey(uploadId));
      return item?.lastRelease === release ? Number(item.attempts ?? 0) : 0;
    },

    async requeue(tenant, uploadId) {
      await updateStatus(tenant, uploadId, 'queued', 'attribute_exists(openKey)');
    },

    async claimContent(tenant, hash, uploadId) {
      const claim = { pk: tenantKey(tenant), sk: contentKey(hash), uploadId };
      const fresh = await unlessConditionFails(
        documents.send(
          new PutCommand({
            TableName: table,
            Item: claim,
            ConditionExpression: 'attribute_not_exists(pk) OR uploadId = :me',
            ExpressionAttributeValues: { ':me': uploadId },
          }),
        ),
      );
      if (fresh) return undefined;
      const holder = String((await getItem(tenant, contentKey(hash)))?.uploadId);
      const held = await getItem(tenant, uploadKey(holder));
      if (held && held.status !== 'failed') return holder;
      const taken = await unlessConditionFails(
        documents.send(
          new PutCommand({
            TableName: table,
            Item: claim,
            // Or ours: the takeover landed, and the SDK's retry finds it done. Answering the failed
            // holder then finished this upload as its duplicate, and every later copy of the file too.
            ConditionExpression: 'uploadId = :holder OR uploadId = :me',
            ExpressionAttributeValues: { ':holder': holder, ':me': uploadId },
          }),
        ),
      );
      return taken ? undefined : holder;
    },

    async finish(tenant, uploadId, result) {
      const fields = Object.entries(result);
      await documents.send(
        new UpdateCommand({
          TableName: table,
          Key: { pk: tenantKey(tenant), sk: uploadKey(uploadId) },
          UpdateExpression: `SET ${fields.map((_, i) => `#f${i} = :v${i}`).join(', ')} REMOVE openKey`,
          ExpressionAttributeNames: Object.fromEntries(fields.map(([name], i) => [`#f${i}`, name])),
          ExpressionAttributeValues: Object.fromEntries(fields.map(([, value], i) => [`:v${i}`, value])),
        }),
      );
    },

    async open(tenant) {
      // Only open uploads are in this index: the work is the size of what is left, not of the history.
      const uploads: Upload[] = [];
      let after: Record<string, unknown> | undefined;
      do {
        const page = await queryPage(documents, {
          TableName: table,
          IndexName: 'openUploads',
          KeyConditionExpression: 'openKey = :tenant',
          ExpressionAttributeValues: { ':tenant': tenantKey(tenant) },
          ExclusiveStartKey: after,
        });
        uploads.push(...(page.Items ?? []).map(toUpload));
        after = page.LastEvaluatedKey;
      } while (after);
      return uploads;
    },
  };
}
