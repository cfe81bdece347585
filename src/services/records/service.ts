import { v7 as uuidV7 } from 'uuid';
import { dynamodbMaker } from '../../platform/aws/makers/dynamodb.js';
import { s3Maker } from '../../platform/aws/makers/s3.js';
import type { ServiceModule } from '../../platform/service.js';
import { s3FileStore } from './file-store.js';
import { recordsRoutes } from './http.js';
import { ingester } from './ingester.js';
import { dynamoRecordStore } from './record-store.js';
import { recordsResources } from './resources.js';
import { dynamoTenantLease } from './tenant-lease.js';
import { dynamoTenantStore } from './tenant-store.js';
import { dynamoUploadStore } from './upload-store.js';

export const recoveryTask = 'upload-recovery';

export const recordsService: ServiceModule<typeof recordsResources> = {
  name: 'records',
  resources: recordsResources,
  clients: { dynamodb: dynamodbMaker, s3: s3Maker },
  create: ({ aws, resources, clock, config, log }) => {
    const tenants = dynamoTenantStore(aws.documents, resources.tables.tenants.name);
    const uploads = dynamoUploadStore(aws.documents, resources.tables.uploads.name);
    const records = dynamoRecordStore(aws.documents, resources.tables.records.name);
    const files = s3FileStore(aws.s3, resources.buckets.files.name);
    const lease = dynamoTenantLease(aws.documents, resources.tables.uploads.name);
    const maxCsvBytes = config.records.maxCsvBytes;
    const ingest = ingester({ uploads, records, tenants, files, lease, clock, log, maxCsvBytes });
    return {
      routes: recordsRoutes({ tenants, uploads, records, files, clock, newId: uuidV7, maxCsvBytes }),
      objectCreated: { files: ingest.objectCreated },
      tasks: [{ name: recoveryTask, intervalMs: 60_000, run: ingest.recover }],
      close: ingest.drain,
      seedLocal: async () => {
        for (const tenant of config.records.localTenants) {
          await tenants.create({ id: tenant.id, timeZone: tenant.timeZone });
          await tenants.addKey(tenant.id, tenant.key);
        }
      },
    };
  },
};
