/** Records' ingester on Lambda: S3 notifications of new files, through SQS. */
import { createS3QueueHandler } from '../../../platform/lambda-workers.js';
import { recordsIngestion } from '../ingestion-service.js';

export const handler = createS3QueueHandler(recordsIngestion, 'files');
