/** AWS Lambda entries for records: the API, the ingester fed by S3 → SQS, and the scheduled recovery. */
import { createHttpApiHandler, createS3QueueHandler, createTaskHandler } from '../../platform/lambda.js';
import { recordsService, recoveryTask } from './service.js';

export const handler = createHttpApiHandler([recordsService]);
export const ingestHandler = createS3QueueHandler(recordsService, 'files');
/** Uploads a dead worker left open whose SQS message is gone (e.g. a duplicate delivery was acknowledged). */
export const recoveryHandler = createTaskHandler(recordsService, recoveryTask);
