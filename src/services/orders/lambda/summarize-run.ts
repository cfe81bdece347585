/** The pipeline's SummarizeRun Task state on Lambda. */
import { createWorkflowTaskHandler } from '../../../platform/lambda-workers.js';
import { ordersSummarizeRun } from '../pipeline-service.js';

export const handler = createWorkflowTaskHandler(ordersSummarizeRun, 'summarizeRun');
