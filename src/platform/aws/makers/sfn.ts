import { SFNClient } from '@aws-sdk/client-sfn';
import type { ClientMaker } from '../client-set.js';

export const sfnMaker: ClientMaker<SFNClient> = {
  client: ({ common }) => new SFNClient(common),
};
