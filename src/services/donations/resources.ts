import type { ServiceResources } from '../../platform/resources.js';

/**
 * One table, several item kinds (see docs/donations.md):
 * - `DONOR#<id>` / `SUMMARY`: count, totals, thank-you state;
 * - `DONOR#<id>` / `DONATION#<n>`: the donor's n-th donation (n zero-padded, so keys sort by n);
 * - `IDEMPOTENCY#<key>` / `IDEMPOTENCY`: a request key's state and first response, expiring after 24 h.
 * The sparse index lists only donors whose thank-you still has to be published.
 */
export const donationsResources = {
  tables: {
    ledger: {
      partitionKey: { name: 'pk', type: 'S' },
      sortKey: { name: 'sk', type: 'S' },
      ttlAttribute: 'expiresAt',
      globalIndexes: [
        {
          name: 'pendingThankYous',
          partitionKey: { name: 'thankYouPending', type: 'S' },
          sortKey: { name: 'donorId', type: 'S' },
        },
      ],
    },
  },
  buckets: {},
  topics: { 'thank-you': {} },
} satisfies ServiceResources;
