import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { Dashboard, GraphWidget, type IMetric, TextWidget } from 'aws-cdk-lib/aws-cloudwatch';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { pendingThankYousMetric } from '../../src/services/donations/thank-you.js';
import { ordersLeftMetric } from '../../src/services/orders/pipeline-tasks.js';
import { failedUploadsMetric, faultedUploadsMetric } from '../../src/services/records/ingest-file.js';
import { fiveMinutes, serviceMetric } from '../constructs/alarms.js';
import type { HttpApiFunction } from '../constructs/http-api-function.js';
import type { Environment } from '../environments.js';

export interface DashboardStackProps extends StackProps {
  environment: Environment;
  /** Each service's HTTP API on Lambda (users runs on EKS, with its own Container Insights). */
  apis: { service: string; http: HttpApiFunction }[];
  /** Records' ingest events that failed five times. */
  ingestDeadLetters: IQueue;
}

const graph = (title: string, left: IMetric[], right: IMetric[] = []) =>
  new GraphWidget({ title, left, right, width: 8, height: 6 });

/** One CloudWatch dashboard per stage: what the alarms watch, on one page (docs/observability.md). */
export class DashboardStack extends Stack {
  constructor(scope: Construct, id: string, props: DashboardStackProps) {
    super(scope, id, props);
    const name = `skiff-${props.environment.stage}`;
    const dashboard = new Dashboard(this, 'Dashboard', { dashboardName: name });
    dashboard.addWidgets(
      new TextWidget({
        markdown: `# skiff ${props.environment.stage}\nRequests, errors, latency and throttles per API; then each service's own metrics. Alarms notify the stage's alerts topic.`,
        width: 24,
        height: 2,
      }),
    );
    for (const { service, http } of props.apis) {
      const stage = http.stage;
      dashboard.addWidgets(
        graph(
          `${service}: requests and errors`,
          [stage.metricCount(fiveMinutes)],
          [stage.metricClientError(fiveMinutes), stage.metricServerError(fiveMinutes)],
        ),
        graph(`${service}: latency`, [
          stage.metricLatency({ ...fiveMinutes, statistic: 'p50' }),
          stage.metricLatency({ ...fiveMinutes, statistic: 'p99' }),
        ]),
        graph(
          `${service}: function errors and throttles`,
          http.functions.flatMap((fn) => [fn.metricErrors(fiveMinutes), fn.metricThrottles(fiveMinutes)]),
        ),
      );
    }
    dashboard.addWidgets(
      graph('donations: thank-yous pending', [serviceMetric('donations', pendingThankYousMetric, 'Maximum')]),
      graph('records: uploads failed, and faults', [
        serviceMetric('records', failedUploadsMetric, 'Sum'),
        serviceMetric('records', faultedUploadsMetric, 'Sum'),
      ]),
      graph('records: ingest dead letters', [
        props.ingestDeadLetters.metricApproximateNumberOfMessagesVisible(fiveMinutes),
      ]),
      graph('orders: orders left undelivered', [serviceMetric('orders', ordersLeftMetric, 'Sum')]),
    );
    new CfnOutput(this, 'DashboardUrl', {
      value: `https://${this.region}.console.aws.amazon.com/cloudwatch/home?region=${this.region}#dashboards:name=${name}`,
    });
  }
}
