/** Records' HTTP API on Lambda, behind API Gateway's HTTP API. */
import { createHttpApiHandler } from '../../../platform/lambda-http.js';
import { recordsApi } from '../api-service.js';

export const handler = createHttpApiHandler([recordsApi]);
