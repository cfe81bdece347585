import { dynamodbMaker } from '../../platform/aws/makers/dynamodb.js';
import type { ServiceModule } from '../../platform/service.js';
import { recordsRoutes } from './http.js';
import { dynamoRecordStore } from './record-store.js';
import { recordsResources } from './resources.js';
import { dynamoTenantStore } from './tenant-store.js';
import { dynamoUploadStore } from './upload-store.js';

/** What the query routes use: the tables, and no bucket (their readiness probes no S3). */
const queryResources = { ...recordsResources, buckets: {} };

/**
 * Records' query API: visits, and the uploads' status. Its own Lambda function, without S3: the
 * uploads are `recordsUploads` (`uploads-service.ts`), behind the same HTTP API.
 */
export const recordsApi: ServiceModule<typeof queryResources> = {
  name: 'records',
  resources: queryResources,
  clients: { dynamodb: dynamodbMaker },
  create: ({ aws, resources, clock, config }) => {
    const tenants = dynamoTenantStore(aws.documents, resources.tables.tenants.name);
    const uploads = dynamoUploadStore(aws.documents, resources.tables.uploads.name);
    const records = dynamoRecordStore(aws.documents, resources.tables.records.name);
    return {
      routes: recordsRoutes({ tenants, uploads, records, clock }),
      seedLocal: async () => {
        for (const tenant of config.records.localTenants) {
          await tenants.create({ id: tenant.id, timeZone: tenant.timeZone });
          await tenants.addKey(tenant.id, tenant.key);
        }
      },
    };
  },
};
