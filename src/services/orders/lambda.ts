/** AWS Lambda entries for orders: the HTTP API and the pipeline's two Task states. */
import { createHttpApiHandler, createWorkflowTaskHandler } from '../../platform/lambda.js';
import { ordersService } from './service.js';

export const handler = createHttpApiHandler([ordersService]);
/** The brief's lambda_a. */
export const fetchResultsHandler = createWorkflowTaskHandler(ordersService, 'fetchResults');
/** The brief's lambda_b. */
export const processOrderHandler = createWorkflowTaskHandler(ordersService, 'processOrder');
