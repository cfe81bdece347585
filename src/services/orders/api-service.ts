import { dynamodbMaker } from '../../platform/aws/makers/dynamodb.js';
import { sfnMaker } from '../../platform/aws/makers/sfn.js';
import type { ServiceContext, ServiceInstance, ServiceModule } from '../../platform/service.js';
import { sfnWorkflowRunner } from '../../platform/workflow/sfn-runner.js';
import type { WorkflowRunner } from '../../platform/workflow/workflow-runner.js';
import { ordersRoutes } from './http.js';
import { dynamoOrderStore } from './order-store.js';
import { ordersTables } from './resources.js';
import { dynamoRunStore } from './run-store.js';

export const scheduledRunTask = 'scheduled-pipeline-run';

type Context = ServiceContext<typeof ordersTables>;

/**
 * On AWS, runs are Step Functions executions. Built on first use: they cannot be started before the
 * state machine's ARN is set (it is made from the Task functions' ARNs).
 */
export function cloudRunner({ aws, config }: Context): WorkflowRunner {
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
    running: (limit) => get().running(limit),
    close: async () => {},
  };
}

/** Orders' HTTP API and the scheduled run, over a runner of the pipeline (Step Functions or local). */
export function ordersApiWith(context: Context, runner: WorkflowRunner): ServiceInstance {
  const { aws, resources, clock, config, log, mode } = context;
  const maxAttempts = config.orders.maxAttempts;
  const orders = dynamoOrderStore(aws.documents, resources.tables.orders.name);
  const runs = dynamoRunStore(aws.documents, resources.tables.runs.name);
  return {
    routes: ordersRoutes({ orders, runs, runner, clock, maxAttempts }),
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
}

/** Orders' HTTP API on AWS: its Lambda function starts and reads Step Functions runs, no S3 or SNS. */
export const ordersApi: ServiceModule<typeof ordersTables> = {
  name: 'orders',
  resources: ordersTables,
  clients: { dynamodb: dynamodbMaker, sfn: sfnMaker },
  create: (context) => ordersApiWith(context, cloudRunner(context)),
};
