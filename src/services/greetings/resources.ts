import type { ServiceResources } from '../../platform/resources.js';

/** One item per username: `{ username, dateOfBirth, updatedAt }`. */
export const greetingsResources = {
  tables: {
    birthdays: { partitionKey: { name: 'username', type: 'S' } },
  },
  buckets: {},
  topics: {},
} satisfies ServiceResources;
