import { v7 as uuidV7 } from 'uuid';
import { dynamodbMaker } from '../../platform/aws/makers/dynamodb.js';
import { s3Maker } from '../../platform/aws/makers/s3.js';
import type { ServiceModule } from '../../platform/service.js';
import { s3FileStore } from './file-store.js';
import { recordsRoutes } from './http.js';
import { dynamoRecordStore } from './record-store.js';
import { recordsResources } from './resources.js';
import { dynamoTenantStore } from './tenant-store.js';
import { dynamoUploadStore } from './upload-store.js';

/** Records' HTTP API: uploads, their status and reports, and queries. Its own Lambda function. */
export const recordsApi: ServiceModule<typeof recordsResources> = {
  name: 'records',
  resources: recordsResources,
  clients: { dynamodb: dynamodbMaker, s3: s3Maker },
  create: ({ aws, resources, clock, config }) => {
    const tenants = dynamoTenantStore(aws.documents, resources.tables.tenants.name);
    const uploads = dynamoUploadStore(aws.documents, resources.tables.uploads.name);
    const records = dynamoRecordStore(aws.documents, resources.tables.records.name);
    const files = s3FileStore(aws, resources.buckets.files.name);
    const maxCsvBytes = config.records.maxCsvBytes;
    return {
      routes: recordsRoutes({ tenants, uploads, records, files, clock, newId: uuidV7, maxCsvBytes }),
      seedLocal: async () => {
        for (const tenant of config.records.localTenants) {
          await tenants.create({ id: tenant.id, timeZone: tenant.timeZone });
          await tenants.addKey(tenant.id, tenant.key);
        }
      },
    };
  },
};
