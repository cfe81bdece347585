import { serviceOfParts } from '../../platform/service-parts.js';
import { recordsApi } from './api-service.js';
import { recordsIngestion } from './ingestion-service.js';
import { recordsResources } from './resources.js';
import { recordsUploads } from './uploads-service.js';

/** Records as `npm start` and the container run it: the query API, the uploads and the ingestion together. */
export const recordsService = serviceOfParts('records', recordsResources, [
  recordsApi,
  recordsUploads,
  recordsIngestion,
]);
