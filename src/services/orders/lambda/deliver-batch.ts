/** The pipeline's DeliverBatch Task state on Lambda (the brief's lambda_b, for a batch of orders). */
import { createWorkflowTaskHandler } from '../../../platform/lambda-workers.js';
import { ordersDeliverBatch } from '../pipeline-service.js';

export const handler = createWorkflowTaskHandler(ordersDeliverBatch, 'deliverBatch');
