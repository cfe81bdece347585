import { type AwsClients, createAwsClients } from './aws/clients.js';
import type { Config } from './config.js';
import type { Notifier } from './notify/notifier.js';
import { declaredTopics, snsNotifier } from './notify/sns-notifier.js';
import { resolveResources } from './resources.js';
import type { ServiceModule } from './service.js';

export interface CloudContext {
  config: Config;
  aws: AwsClients;
  notifier: Notifier;
  clock: () => Date;
  mode: 'cloud';
}

/** What the container and Lambda runtimes hand services: real AWS through the SDK, SNS for notices. */
export function cloudContext(config: Config, services: ServiceModule[]): CloudContext {
  const aws = createAwsClients({
    region: config.region,
    endpoints: config.endpoints,
    timeouts: config.awsTimeouts,
  });
  const topics = declaredTopics(services.map((s) => resolveResources(config.stage, s.name, s.resources)));
  return {
    config,
    aws,
    notifier: snsNotifier(aws.sns, config.snsTopicArns, topics),
    clock: () => new Date(),
    mode: 'cloud',
  };
}
