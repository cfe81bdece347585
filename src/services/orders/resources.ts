import type { ServiceResources } from '../../platform/resources.js';

/**
 * Orders by `record_id`, kept 24 hours (`ttl`, epoch seconds; readers also filter, since DynamoDB
 * deletes late and dynalite never). The sparse `pendingOrders` index lists orders awaiting a result.
 */
export const ordersResources = {
  tables: {
    orders: {
      partitionKey: { name: 'record_id', type: 'S' },
      ttlAttribute: 'ttl',
      globalIndexes: [
        {
          name: 'pendingOrders',
          partitionKey: { name: 'pendingKey', type: 'S' },
          sortKey: { name: 'record_id', type: 'S' },
        },
      ],
    },
  },
  buckets: { results: {} },
  topics: { notifications: {} },
} satisfies ServiceResources;
