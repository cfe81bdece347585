/** AWS Lambda entries for records: the query and upload API, and the ingester fed by S3 → SQS. */
import { createHttpApiHandler, createS3QueueHandler } from '../../platform/lambda.js';
import { recordsService } from './service.js';

export const handler = createHttpApiHandler([recordsService]);
export const ingestHandler = createS3QueueHandler(recordsService, 'files');
