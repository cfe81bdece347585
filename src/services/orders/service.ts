import type { ServiceContext, ServiceModule } from '../../platform/service.js';
import { mergeInstances, serviceOfParts } from '../../platform/service-parts.js';
import type { WorkflowRunner, WorkflowTask } from '../../platform/workflow/workflow-runner.js';
import { cloudRunner, ordersApi, ordersApiWith } from './api-service.js';
import { pipelineDefinition, pipelineStates } from './pipeline-definition.js';
import { ordersDeliverBatch, ordersFetchResults, ordersSummarizeRun } from './pipeline-service.js';
import { ordersResources } from './resources.js';

type Context = ServiceContext<typeof ordersResources>;

/**
 * The pipeline's Task states: on AWS each is a Lambda function of its own (with only the clients it
 * calls), Step Functions calling them; locally the same functions run in this process.
 */
const ordersPipeline = serviceOfParts('orders', ordersResources, [
  ordersFetchResults,
  ordersDeliverBatch,
  ordersSummarizeRun,
]);

/**
 * Locally the ASL runs in this process, its Task states calling the same functions Lambda runs. The
 * local platform supplies the engine (`localWorkflows`): a Lambda bundle never holds it.
 */
function localRunner(context: Context, tasks: Record<string, WorkflowTask>): WorkflowRunner {
  const { config, resources, notifier, clock, log, localWorkflows } = context;
  if (!localWorkflows) {
    throw new Error(
      'orders in local mode runs its pipeline with `localWorkflows`, which the local platform supplies',
    );
  }
  const task = (name: string) => {
    const found = tasks[name];
    if (!found) throw new Error(`orders' pipeline has no task ${name}`);
    return found;
  };
  const topicArn = `arn:aws:sns:${config.region}:000000000000:${resources.topics.notifications.name}`;
  const lambda = (name: string) => `arn:aws:lambda:local:000000000000:function:${name}`;
  return localWorkflows({
    definition: pipelineDefinition({
      fetchResults: lambda('fetch'),
      deliverBatch: lambda('deliver'),
      summarizeRun: lambda('summarize'),
      notificationsTopic: topicArn,
    }),
    tasks: {
      [pipelineStates.fetch]: task('fetchResults'),
      [pipelineStates.deliverBatch]: task('deliverBatch'),
      [pipelineStates.summarize]: task('summarizeRun'),
    },
    publishStates: [
      pipelineStates.notifyOrdersLeft,
      pipelineStates.notifyGaveUp,
      pipelineStates.notifyFailure,
    ],
    notifier,
    waitMs: config.orders.pipelineWaitMs,
    keepFinished: config.orders.runsKept,
    clock,
    log,
  });
}

/**
 * Orders as `npm start` and the container run it: the API and the pipeline's tasks together. Locally
 * the API's runs call those tasks in this process; elsewhere they are Step Functions executions.
 */
export const ordersService: ServiceModule<typeof ordersResources> = {
  name: 'orders',
  resources: ordersResources,
  clients: { ...ordersApi.clients, ...ordersPipeline.clients },
  create: (context) => {
    const pipeline = ordersPipeline.create(context);
    const tasks = pipeline.workflowTasks ?? {};
    const runner = context.mode === 'local' ? localRunner(context, tasks) : cloudRunner(context);
    return mergeInstances([ordersApiWith(context, runner), pipeline]);
  },
};
