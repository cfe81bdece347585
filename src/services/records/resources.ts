import type { ServiceResources } from '../../platform/resources.js';

/**
 * Every key starts with the tenant (`T#<tenant>#…`), so no query can reach across tenants.
 * - `records`: one item per visit, `pk = T#<tenant>#MRN#<mrn>`, `sk = <date_time_utc>`; indexes by
 *   last name, first name (lower-cased) and by tenant alone, each sorted by the visit's UTC time.
 * - `uploads`: per tenant, `UPLOAD#<id>` status items and `HASH#<sha256>` claims on file contents;
 *   the sparse `openUploads` index holds only uploads not yet finished, for crash recovery.
 * - `tenants`: `TENANT#<id>` (time zone) and `APIKEY#<sha256 of key>` items; keys are never stored.
 */
export const recordsResources = {
  tables: {
    records: {
      partitionKey: { name: 'pk', type: 'S' },
      sortKey: { name: 'sk', type: 'S' },
      globalIndexes: [
        {
          name: 'byLastName',
          partitionKey: { name: 'lastNameKey', type: 'S' },
          sortKey: { name: 'sk', type: 'S' },
        },
        {
          name: 'byFirstName',
          partitionKey: { name: 'firstNameKey', type: 'S' },
          sortKey: { name: 'sk', type: 'S' },
        },
        {
          name: 'byTenant',
          partitionKey: { name: 'tenantKey', type: 'S' },
          sortKey: { name: 'sk', type: 'S' },
        },
      ],
    },
    uploads: {
      partitionKey: { name: 'pk', type: 'S' },
      sortKey: { name: 'sk', type: 'S' },
      globalIndexes: [
        {
          name: 'openUploads',
          partitionKey: { name: 'openKey', type: 'S' },
          sortKey: { name: 'sk', type: 'S' },
        },
      ],
    },
    tenants: {
      partitionKey: { name: 'pk', type: 'S' },
    },
  },
  buckets: { files: { eventPrefix: 'incoming/' } },
  topics: {},
} satisfies ServiceResources;
