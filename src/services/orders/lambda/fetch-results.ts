/** The pipeline's FetchResults Task state on Lambda (the brief's lambda_a). */
import { createWorkflowTaskHandler } from '../../../platform/lambda-workers.js';
import { ordersFetchResults } from '../pipeline-service.js';

export const handler = createWorkflowTaskHandler(ordersFetchResults, 'fetchResults');
