import { dynamodbMaker } from '../../platform/aws/makers/dynamodb.js';
import type { ServiceModule } from '../../platform/service.js';
import { greetingsRoutes } from './http.js';
import { greetingsResources } from './resources.js';
import { dynamoBirthdayStore } from './store.js';

export const greetingsService: ServiceModule<typeof greetingsResources> = {
  name: 'greetings',
  resources: greetingsResources,
  clients: { dynamodb: dynamodbMaker },
  create: ({ aws, resources, clock }) => ({
    routes: greetingsRoutes({
      store: dynamoBirthdayStore(aws.dynamodb, resources.tables.birthdays.name),
      clock,
    }),
  }),
};
