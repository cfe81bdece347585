/** Donations' thank-you sweep on Lambda, run on a schedule: retries thank-yous whose publish failed. */
import { createTaskHandler } from '../../../platform/lambda-workers.js';
import { donationsSweep, thankYouSweepTask } from '../thank-you-service.js';

export const handler = createTaskHandler(donationsSweep, thankYouSweepTask);
