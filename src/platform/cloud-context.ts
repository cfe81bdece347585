import {
  type AwsClientMakers,
  type AwsClients,
  awsClientsFrom,
  clientOptionsFrom,
  MissingClientError,
  makerOf,
  type SdkWarningLog,
} from './aws/client-set.js';
import type { Config } from './config.js';
import { declaredTopics, type Notifier } from './notify/notifier.js';
import { resolveResources } from './resources.js';
import type { ServiceModule } from './service.js';

export interface CloudContext {
  config: Config;
  aws: AwsClients;
  notifier: Notifier;
  clock: () => Date;
  mode: 'cloud';
}

/** The clients the given services name, and no other: what a Lambda builds. */
export function clientMakersOf(services: ServiceModule[]): AwsClientMakers {
  return Object.assign({}, ...services.map((s) => s.clients));
}

/**
 * What the container and Lambda runtimes hand services: real AWS through the SDK, SNS for notices.
 * `log` takes the SDK's own warnings. `makers` are the SDK clients it may build: by default the
 * services' own (Lambda); the container passes every maker.
 */
export function cloudContext(
  config: Config,
  log: SdkWarningLog,
  services: ServiceModule[],
  makers: AwsClientMakers = clientMakersOf(services),
): CloudContext {
  const aws = awsClientsFrom(clientOptionsFrom(config, config.endpoints, { log }), makers);
  const topics = declaredTopics(services.map((s) => resolveResources(config.stage, s.name, s.resources)));
  return {
    config,
    aws,
    notifier: cloudNotifier(aws, config.snsTopicArns, topics),
    clock: () => new Date(),
    mode: 'cloud',
  };
}

/**
 * SNS, which comes with its maker. Services that publish declare their topics, so a runtime whose
 * services declare topics but not the SNS maker fails at start; one with neither has a notifier
 * that refuses to publish.
 */
function cloudNotifier(aws: AwsClients, topicArns: string[], topics: string[]): Notifier {
  if (topics.length > 0 || aws.makers.sns) {
    return makerOf(aws.makers, 'sns').notifier(aws.sns, topicArns, topics);
  }
  return {
    publish: async () => {
      throw new MissingClientError('sns', aws.makers);
    },
  };
}
