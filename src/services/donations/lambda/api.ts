/** Donations' HTTP API on Lambda, behind API Gateway's HTTP API. */
import { createHttpApiHandler } from '../../../platform/lambda-http.js';
import { donationsApi } from '../api-service.js';

export const handler = createHttpApiHandler([donationsApi]);
