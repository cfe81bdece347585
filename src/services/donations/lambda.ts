/** AWS Lambda entries for donations: the HTTP API, and the scheduled thank-you sweep. */
import { createHttpApiHandler, createTaskHandler } from '../../platform/lambda.js';
import { donationsService, thankYouSweepTask } from './service.js';

export const handler = createHttpApiHandler([donationsService]);
export const sweepHandler = createTaskHandler(donationsService, thankYouSweepTask);
