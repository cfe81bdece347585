import type { ServiceResources } from '../../platform/resources.js';

/**
 * Orders by `record_id`, kept 24 hours (`ttl`, epoch seconds; readers also filter, since DynamoDB
 * deletes late and dynalite never). The sparse `pendingOrders` index lists the orders not yet settled:
 * undecided ones, and decided ones whose result or notice has not been delivered.
 *
 * Pipeline runs by `runId`: the batches of order ids a run delivers (`batch#0000`…), so the state
 * machine passes batch numbers instead of orders, and each run's summary (`summary`); kept 30 days.
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
    runs: {
      partitionKey: { name: 'runId', type: 'S' },
      sortKey: { name: 'part', type: 'S' },
      ttlAttribute: 'expiresAt',
    },
  },
  buckets: { results: {} },
  topics: { notifications: {} },
} satisfies ServiceResources;

/**
 * What the functions that write neither results nor notices reach (the API, FetchResults and
 * SummarizeRun): their readiness checks and clients cover only these.
 */
export const ordersTables = {
  tables: ordersResources.tables,
  buckets: {},
  topics: {},
} satisfies ServiceResources;
