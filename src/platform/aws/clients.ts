import {
  type AwsClientMakers,
  type AwsClientOptions,
  type AwsClients,
  awsClientsFrom,
} from './client-set.js';
import { dynamodbMaker } from './makers/dynamodb.js';
import { s3Maker } from './makers/s3.js';
import { sfnMaker } from './makers/sfn.js';
import { snsMaker } from './makers/sns.js';
import { sqsMaker } from './makers/sqs.js';

export { type AwsTimeouts, sdkMaxAttempts, worstCaseCallMs } from './call-limits.js';
export type { AwsClientOptions, AwsClients, AwsEndpoints } from './client-set.js';
export { clientOptionsFrom } from './client-set.js';

/**
 * Every client maker: what the local platform, the container and the CLI pass. A Lambda passes only
 * its services' (`ServiceModule.clients`) and must not import this module, or its bundle holds every
 * SDK client.
 */
export const allClientMakers = {
  dynamodb: dynamodbMaker,
  s3: s3Maker,
  sns: snsMaker,
  sqs: sqsMaker,
  sfn: sfnMaker,
} satisfies Required<AwsClientMakers>;

/** One place builds every SDK client (each on first use); by default any of them. */
export function createAwsClients(
  options: AwsClientOptions,
  makers: AwsClientMakers = allClientMakers,
): AwsClients {
  return awsClientsFrom(options, makers);
}
