import { Duration } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  type IMetric,
  Metric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { Construct } from 'constructs';
import { metricsNamespace } from '../../src/platform/metrics.js';

export const fiveMinutes = { period: Duration.minutes(5) };

/** An alarm when `metric` reaches `threshold` in `periods` consecutive 5-minute periods; no data is fine. */
export function thresholdAlarm(
  scope: Construct,
  id: string,
  metric: IMetric,
  threshold: number,
  what: string,
  periods = 1,
): Alarm {
  return new Alarm(scope, id, {
    metric,
    threshold,
    evaluationPeriods: periods,
    comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: TreatMissingData.NOT_BREACHING,
    alarmDescription: `${scope.node.path}: ${what} (at least ${threshold} in ${periods * 5} minutes)`,
  });
}

/** A business metric a service emits as EMF log lines (`emitMetric`), over 5-minute periods. */
export function serviceMetric(service: string, name: string, statistic: 'Sum' | 'Maximum'): Metric {
  return new Metric({
    namespace: metricsNamespace,
    metricName: name,
    dimensionsMap: { service },
    statistic,
    period: Duration.minutes(5),
  });
}
