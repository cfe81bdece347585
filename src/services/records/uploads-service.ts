import { v7 as uuidV7 } from 'uuid';
import { dynamodbMaker } from '../../platform/aws/makers/dynamodb.js';
import { s3Maker } from '../../platform/aws/makers/s3.js';
import type { ServiceModule } from '../../platform/service.js';
import { s3FileStore } from './file-store.js';
import { recordsResources } from './resources.js';
import { dynamoTenantStore } from './tenant-store.js';
import { uploadRoutes } from './upload-routes.js';
import { dynamoUploadStore } from './upload-store.js';

/**
 * Records' file routes: CSV uploads into the bucket, and the rejects reports out of it. A Lambda
 * function of its own behind records' HTTP API (`POST /uploads`, `GET /uploads/{id}/report`), the
 * only one of the API's with S3 and multipart parsing (docs/performance.md, P5).
 */
export const recordsUploads: ServiceModule<typeof recordsResources> = {
  name: 'records',
  resources: recordsResources,
  clients: { dynamodb: dynamodbMaker, s3: s3Maker },
  create: ({ aws, resources, clock, config }) => ({
    routes: uploadRoutes({
      tenants: dynamoTenantStore(aws.documents, resources.tables.tenants.name),
      uploads: dynamoUploadStore(aws.documents, resources.tables.uploads.name),
      files: s3FileStore(aws, resources.buckets.files.name),
      clock,
      newId: uuidV7,
      maxCsvBytes: config.records.maxCsvBytes,
    }),
  }),
};
