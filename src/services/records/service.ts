import { serviceOfParts } from '../../platform/service-parts.js';
import { recordsApi } from './api-service.js';
import { recordsIngestion } from './ingestion-service.js';
import { recordsResources } from './resources.js';

/** Records as `npm start` and the container run it: the API and the ingestion together. */
export const recordsService = serviceOfParts('records', recordsResources, [recordsApi, recordsIngestion]);
