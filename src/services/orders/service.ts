import type { ServiceContext, ServiceModule } from '../../platform/service.js';
import { localWorkflowRunner } from '../../platform/workflow/local-runner.js';
import { sfnWorkflowRunner } from '../../platform/workflow/sfn-runner.js';
import type { WorkflowRunner } from '../../platform/workflow/workflow-runner.js';
import { simulatedAuction } from './auction-platform.js';
import { ordersRoutes } from './http.js';
import { dynamoOrderStore } from './order-store.js';
import { pipelineDefinition, pipelineStates } from './pipeline-definition.js';
import { pipelineTasks } from './pipeline-tasks.js';
import { ordersResources } from './resources.js';
import { s3ResultsStore } from './results-store.js';

export const scheduledRunTask = 'scheduled-pipeline-run';

type Context = ServiceContext<typeof ordersResources>;
type Tasks = ReturnType<typeof pipelineTasks>;

/** Locally the ASL runs in this process, its Task states calling the same functions Lambda runs. */
function localRunner(context: Context, tasks: Tasks): WorkflowRunner {
  const { config, resources, notifier, clock, log } = context;
  const topicArn = `arn:aws:sns:${config.region}:000000000000:${resources.topics.notifications.name}`;
  return localWorkflowRunner({
    definition: pipelineDefinition({
      fetchResults: 'arn:aws:lambda:local:000000000000:function:fetch',
      processOrder: 'arn:aws:lambda:local:000000000000:function:process',
      notificationsTopic: topicArn,
    }),
    tasks: { [pipelineStates.fetch]: tasks.fetchResults, [pipelineStates.process]: tasks.processOrder },
    publishStates: [pipelineStates.notifyRejected, pipelineStates.notifyGaveUp, pipelineStates.notifyFailure],
    notifier,
    waitMs: config.orders.pipelineWaitMs,
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
    close: async () => {},
  };
}

export const ordersService: ServiceModule<typeof ordersResources> = {
  name: 'orders',
  resources: ordersResources,
  create: (context) => {
    const { aws, resources, clock, config, log, mode } = context;
    const orders = dynamoOrderStore(aws.documents, resources.tables.orders.name);
    const tasks = pipelineTasks({
      orders,
      auction: simulatedAuction(config.orders.auction),
      results: s3ResultsStore(aws.s3, resources.buckets.results.name),
      clock,
      log,
      maxOrdersPerRun: 1000,
    });
    const runner = mode === 'local' ? localRunner(context, tasks) : cloudRunner(context);
    const maxAttempts = config.orders.maxAttempts;
    return {
      routes: ordersRoutes({ orders, runner, clock, maxAttempts }),
      workflowTasks: { fetchResults: tasks.fetchResults, processOrder: tasks.processOrder },
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
