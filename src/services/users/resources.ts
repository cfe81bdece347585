import type { ServiceResources } from '../../platform/resources.js';

/**
 * `USER#<id>` items hold users; `EMAIL#<email>` items reserve an address (DynamoDB enforces no
 * unique attributes, so the reservation's key does). The `allUsers` index lists users by creation.
 */
export const usersResources = {
  tables: {
    users: {
      partitionKey: { name: 'pk', type: 'S' },
      globalIndexes: [
        {
          name: 'allUsers',
          partitionKey: { name: 'listKey', type: 'S' },
          sortKey: { name: 'createdKey', type: 'S' },
        },
      ],
    },
  },
  buckets: { avatars: { listPrefix: 'avatars/' } },
  topics: {},
} satisfies ServiceResources;
