import { SQSClient } from '@aws-sdk/client-sqs';
import type { ClientMaker } from '../client-set.js';

export const sqsMaker: ClientMaker<SQSClient> = {
  client: ({ streaming, endpoints }) => new SQSClient({ ...streaming, endpoint: endpoints.sqs }),
};
