import { dynamodbMaker } from '../../platform/aws/makers/dynamodb.js';
import { s3Maker } from '../../platform/aws/makers/s3.js';
import { snsMaker } from '../../platform/aws/makers/sns.js';
import type { ServiceContext, ServiceModule } from '../../platform/service.js';
import { simulatedAuction } from './auction-platform.js';
import { orderDelivery } from './order-delivery.js';
import { dynamoOrderStore } from './order-store.js';
import { deliverBatchTask, fetchResultsTask, summarizeRunTask } from './pipeline-tasks.js';
import { ordersResources, ordersTables } from './resources.js';
import { s3ResultsStore } from './results-store.js';
import { dynamoRunStore } from './run-store.js';
import { dynamoSettlementStore } from './settlement-store.js';

/** How long a run's claim on an order holds: far beyond one delivery (SDK calls time out at 30 s). */
export const claimLeaseMs = 5 * 60_000;

type Context = ServiceContext<typeof ordersTables>;

/** The stores every Task state reads. */
function storesOf({ aws, resources, clock, config, log }: Context) {
  return {
    orders: dynamoOrderStore(aws.documents, resources.tables.orders.name),
    settlements: dynamoSettlementStore(aws.documents, resources.tables.orders.name),
    runs: dynamoRunStore(aws.documents, resources.tables.runs.name),
    auction: simulatedAuction(config.orders.auction),
    clock,
    log,
  };
}

/** The brief's lambda_a: polls the auction and stores the run's batches. DynamoDB only. */
export const ordersFetchResults: ServiceModule<typeof ordersTables> = {
  name: 'orders',
  resources: ordersTables,
  clients: { dynamodb: dynamodbMaker },
  create: (context) => ({ workflowTasks: { fetchResults: fetchResultsTask(storesOf(context)) } }),
};

/** The brief's lambda_b, for a batch of orders: accepted results to S3, a notice per rejected order. */
export const ordersDeliverBatch: ServiceModule<typeof ordersResources> = {
  name: 'orders',
  resources: ordersResources,
  clients: { dynamodb: dynamodbMaker, s3: s3Maker, sns: snsMaker },
  create: (context) => {
    const { aws, resources, notifier, clock, log } = context;
    const stores = storesOf(context);
    const deliver = orderDelivery({
      settlements: stores.settlements,
      results: s3ResultsStore(aws.s3, resources.buckets.results.name),
      notifier,
      topic: resources.topics.notifications.name,
      clock,
      log,
      leaseMs: claimLeaseMs,
    });
    return { workflowTasks: { deliverBatch: deliverBatchTask({ ...stores, deliver }) } };
  },
};

/** Counts where the run's orders stand and stores the summary. DynamoDB only. */
export const ordersSummarizeRun: ServiceModule<typeof ordersTables> = {
  name: 'orders',
  resources: ordersTables,
  clients: { dynamodb: dynamodbMaker },
  create: (context) => ({ workflowTasks: { summarizeRun: summarizeRunTask(storesOf(context)) } }),
};
