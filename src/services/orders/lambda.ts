/** AWS Lambda entries for orders: the HTTP API and the pipeline's Task states. */
import { createHttpApiHandler, createWorkflowTaskHandler } from '../../platform/lambda.js';
import { ordersService } from './service.js';

export const handler = createHttpApiHandler([ordersService]);
/** The brief's lambda_a. */
export const fetchResultsHandler = createWorkflowTaskHandler(ordersService, 'fetchResults');
/** The brief's lambda_b, for a batch of orders. */
export const deliverBatchHandler = createWorkflowTaskHandler(ordersService, 'deliverBatch');
export const summarizeRunHandler = createWorkflowTaskHandler(ordersService, 'summarizeRun');
