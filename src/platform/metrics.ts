import type { Logger } from 'pino';

export const metricsNamespace = 'skiff';

/**
 * One CloudWatch Embedded Metric Format record as a log line: CloudWatch turns it into a metric with
 * no API call, and the line stays readable in the logs. The dimension is the `service` field that
 * every service's logger carries.
 */
export function emitMetric(
  log: Logger,
  name: string,
  value: number,
  unit: 'Count' | 'Milliseconds' = 'Count',
): void {
  log.info(
    {
      _aws: {
        Timestamp: Date.now(),
        CloudWatchMetrics: [
          { Namespace: metricsNamespace, Dimensions: [['service']], Metrics: [{ Name: name, Unit: unit }] },
        ],
      },
      [name]: value,
    },
    `metric ${name}`,
  );
}
