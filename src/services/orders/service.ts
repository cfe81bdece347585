import { dynamodbMaker } from '../../platform/aws/makers/dynamodb.js';
import { s3Maker } from '../../platform/aws/makers/s3.js';
import { sfnMaker } from '../../platform/aws/makers/sfn.js';
import { snsMaker } from '../../platform/aws/makers/sns.js';
import type { ServiceContext, ServiceModule } from '../../platform/service.js';
import { sfnWorkflowRunner } from '../../platform/workflow/sfn-runner.js';
import type { WorkflowRunner } from '../../platform/workflow/workflow-runner.js';
import { simulatedAuction } from './auction-platform.js';
import { ordersRoutes } from './http.js';
import { orderDelivery } from './order-delivery.js';
import { dynamoOrderStore } from './order-store.js';
import { pipelineDefinition, pipelineStates } from './pipeline-definition.js';
import { pipelineTasks } from './pipeline-tasks.js';
import { ordersResources } from './resources.js';
import { s3ResultsStore } from './results-store.js';
import { dynamoRunStore } from './run-store.js';
import { dynamoSettlementStore } from './settlement-store.js';

export const scheduledRunTask = 'scheduled-pipeline-run';

/** How long a run's claim on an order holds: far beyond one delivery (SDK calls time out at 30 s). */
export const claimLeaseMs = 5 * 60_000;

type Context = ServiceContext<typeof ordersResources>;
type Tasks = ReturnType<typeof pipelineTasks>;

/**
 * Locally the ASL runs in this process, its Task states calling the same functions Lambda runs. The
 * local platform supplies the engine (`localWorkflows`): a Lambda bundle never holds it.
 */
function localRunner(context: Context, tasks: Tasks): WorkflowRunner {
  const { config, resources, notifier, clock, log, localWorkflows } = context;
  if (!localWorkflows) {
    throw new Error(
      'orders in local mode runs its pipeline with `localWorkflows`, which the local platform supplies',
    );
  }
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
      [pipelineStates.fetch]: tasks.fetchResults,
      [pipelineStates.deliverBatch]: tasks.deliverBatch,
      [pipelineStates.summarize]: tasks.summarizeRun,
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
 * On AWS, runs are Step Functions executions. Built on first use: the pipeline's own Task Lambdas
 * never start runs, and they cannot know the state machine's ARN (it is made from theirs).
 */
function cloudRunner({ aws, config }: Context): WorkflowRunner {
  let runner: WorkflowRunner | undefined;
  const get = () => {
    const arn = config.orders.stateMachineArn;
    if (!arn) throw new Error('SKIFF_ORDERS_STATE_MACHINE_ARN must name the orders state machine');
    runner ??= sfnWorkflowRunner(aws.sfn, arn);
    return runner;
  };
  return {
    start: (input) => get().start(input),
    describe: (runId) => get().describe(runId),
    list: (limit, cursor) => get().list(limit, cursor),
    close: async () => {},
  };
}

function buildTasks(context: Context) {
  const { aws, resources, clock, config, log, notifier } = context;
  const orders = dynamoOrderStore(aws.documents, resources.tables.orders.name);
  const settlements = dynamoSettlementStore(aws.documents, resources.tables.orders.name);
  const runs = dynamoRunStore(aws.documents, resources.tables.runs.name);
  const deliver = orderDelivery({
    settlements,
    results: s3ResultsStore(aws.s3, resources.buckets.results.name),
    notifier,
    topic: resources.topics.notifications.name,
    clock,
    log,
    leaseMs: claimLeaseMs,
  });
  const auction = simulatedAuction(config.orders.auction);
  return { orders, runs, tasks: pipelineTasks({ orders, settlements, runs, auction, deliver, clock, log }) };
}

export const ordersService: ServiceModule<typeof ordersResources> = {
  name: 'orders',
  resources: ordersResources,
  clients: { dynamodb: dynamodbMaker, s3: s3Maker, sfn: sfnMaker, sns: snsMaker },
  create: (context) => {
    const { clock, config, log, mode } = context;
    const { orders, runs, tasks } = buildTasks(context);
    const runner = mode === 'local' ? localRunner(context, tasks) : cloudRunner(context);
    const maxAttempts = config.orders.maxAttempts;
    return {
      routes: ordersRoutes({ orders, runs, runner, clock, maxAttempts }),
      workflowTasks: {
        fetchResults: tasks.fetchResults,
        deliverBatch: tasks.deliverBatch,
        summarizeRun: tasks.summarizeRun,
      },
      tasks: [
        {
          name: scheduledRunTask,
          // On AWS, EventBridge Scheduler starts runs; the timer is for `npm start`.
          intervalMs: mode === 'local' ? config.orders.pipelineIntervalMs : 0,
          skipFirstRun: true,
          run: async () => {
            const { runId } = await runner.start({ attempt: 0, maxAttempts });
            log.info({ event: 'pipeline.scheduled', runId }, 'scheduled pipeline run started');
          },
        },
      ],
      close: () => runner.close(),
    };
  },
};
