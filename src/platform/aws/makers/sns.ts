import { SNSClient } from '@aws-sdk/client-sns';
import { snsNotifier } from '../../notify/sns-notifier.js';
import type { SNSMaker } from '../client-set.js';

/** Only AWS or LocalStack answer SNS; locally the Notifier port uses the inbox instead. */
export const snsMaker: SNSMaker = {
  client: ({ common, endpoints }) => new SNSClient({ ...common, endpoint: endpoints.sns }),
  notifier: snsNotifier,
};
