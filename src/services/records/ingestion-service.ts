import { dynamodbMaker } from '../../platform/aws/makers/dynamodb.js';
import { s3Maker } from '../../platform/aws/makers/s3.js';
import type { ServiceModule } from '../../platform/service.js';
import { s3FileStore } from './file-store.js';
import { ingester } from './ingester.js';
import { dynamoRecordStore } from './record-store.js';
import { recordsResources } from './resources.js';
import { dynamoTenantLease } from './tenant-lease.js';
import { dynamoTenantStore } from './tenant-store.js';
import { dynamoUploadStore } from './upload-store.js';

export const recoveryTask = 'upload-recovery';

/**
 * Records' ingestion: files created in the bucket, and the recovery of uploads a dead worker left
 * open. On AWS the ingester and the recovery are Lambda functions of their own, without the HTTP API.
 */
export const recordsIngestion: ServiceModule<typeof recordsResources> = {
  name: 'records',
  resources: recordsResources,
  clients: { dynamodb: dynamodbMaker, s3: s3Maker },
  create: ({ aws, resources, clock, config, log }) => {
    const ingest = ingester({
      uploads: dynamoUploadStore(aws.documents, resources.tables.uploads.name),
      records: dynamoRecordStore(aws.documents, resources.tables.records.name),
      tenants: dynamoTenantStore(aws.documents, resources.tables.tenants.name),
      files: s3FileStore(aws, resources.buckets.files.name),
      lease: dynamoTenantLease(aws.documents, resources.tables.uploads.name),
      clock,
      log,
      maxCsvBytes: config.records.maxCsvBytes,
    });
    return {
      objectCreated: { files: ingest.objectCreated },
      tasks: [{ name: recoveryTask, intervalMs: 60_000, run: ingest.recover }],
      close: ingest.drain,
    };
  },
};
