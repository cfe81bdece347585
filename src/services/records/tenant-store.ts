import { createHash, randomBytes } from 'node:crypto';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unlessConditionFails } from '../../platform/aws/conditional-write.js';
import { isTimeZone } from '../../platform/time-zone.js';

export interface Tenant {
  id: string;
  timeZone: string;
}

/** The tenants port: tenants and their API keys, which are stored only as SHA-256 hashes. */
export interface TenantStore {
  /** Creates the tenant if new (false if it exists) and returns nothing else: keys are separate. */
  create(tenant: Tenant): Promise<boolean>;
  /** Adds a key for the tenant; `key` is generated when not given (local provisioning gives one). */
  addKey(tenantId: string, key?: string): Promise<string>;
  byKey(key: string): Promise<Tenant | undefined>;
  get(id: string): Promise<Tenant | undefined>;
  /** Every tenant id: one small item, so no scan is needed to visit tenants. */
  ids(): Promise<string[]>;
}

export const tenantIdPattern = '^[a-z0-9][a-z0-9-]{0,62}$';

export const hashKey = (key: string) => createHash('sha256').update(key).digest('hex');

export function dynamoTenantStore(documents: DynamoDBDocumentClient, table: string): TenantStore {
  const get = async (pk: string, consistent = false) =>
    (await documents.send(new GetCommand({ TableName: table, Key: { pk }, ConsistentRead: consistent })))
      .Item;
  return {
    async create({ id, timeZone }) {
      if (!isTimeZone(timeZone)) throw new Error(`${timeZone} is not an IANA time zone`);
      // This call's mark: a put that landed and was sent again by the SDK fails its condition, and
      // the mark tells that the tenant is this call's, not an older one.
      const mark = randomBytes(8).toString('hex');
      const pk = `TENANT#${id}`;
      const put = await unlessConditionFails(
        documents.send(
          new PutCommand({
            TableName: table,
            Item: { pk, id, timeZone, createdAt: new Date().toISOString(), createdBy: mark },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      );
      const created = put !== undefined || (await get(pk, true))?.createdBy === mark;
      // Every time, as adding to a set is idempotent: a create that stopped between its two writes
      // left the tenant out of the list the recovery task visits.
      await documents.send(
        new UpdateCommand({
          TableName: table,
          Key: { pk: 'TENANTS' },
          UpdateExpression: 'ADD ids :id',
          ExpressionAttributeValues: { ':id': new Set([id]) },
        }),
      );
      return created;
    },
    async addKey(tenantId, key = `sk_${randomBytes(24).toString('base64url')}`) {
      await documents.send(
        new PutCommand({
          TableName: table,
          Item: { pk: `APIKEY#${hashKey(key)}`, tenantId, createdAt: new Date().toISOString() },
        }),
      );
      return key;
    },
    async byKey(key) {
      const grant = await get(`APIKEY#${hashKey(key)}`);
      return grant ? this.get(String(grant.tenantId)) : undefined;
    },
    async get(id) {
      const tenant = await get(`TENANT#${id}`);
      return tenant ? { id: String(tenant.id), timeZone: String(tenant.timeZone) } : undefined;
    },
    async ids() {
      const item = await get('TENANTS');
      return item?.ids instanceof Set ? [...(item.ids as Set<string>)].sort() : [];
    },
  };
}
