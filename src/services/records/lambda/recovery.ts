/**
 * Records' scheduled recovery on Lambda: uploads a dead worker left open whose SQS message is gone
 * (e.g. a duplicate delivery was acknowledged).
 */
import { createTaskHandler } from '../../../platform/lambda-workers.js';
import { recordsIngestion, recoveryTask } from '../ingestion-service.js';

export const handler = createTaskHandler(recordsIngestion, recoveryTask);
