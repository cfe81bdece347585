/** Records' file routes on Lambda (`POST /uploads`, `GET /uploads/{id}/report`), behind records' HTTP API. */
import { createHttpApiHandler } from '../../../platform/lambda-http.js';
import { recordsUploads } from '../uploads-service.js';

export const handler = createHttpApiHandler([recordsUploads]);
