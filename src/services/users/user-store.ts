import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { unlessConditionFails } from '../../platform/aws/conditional-write.js';
import { queryPage } from '../../platform/aws/paged-query.js';
import type { User } from './domain.js';

export interface UserPage {
  users: User[];
  /** Opaque position after the last user returned, when more may follow. */
  next?: Record<string, unknown>;
}

/** The users port. */
export interface UserStore {
  /** Creates the user unless the e-mail is taken; false if it is. */
  create(user: User): Promise<boolean>;
  get(id: string): Promise<User | undefined>;
  findByEmail(email: string): Promise<User | undefined>;
  list(limit: number, after?: Record<string, unknown>): Promise<UserPage>;
  /** Points the user at a new avatar object; answers the key it replaced, if any. */
  setAvatar(id: string, key: string): Promise<{ replaced?: string }>;
}

/** How long an e-mail reservation without its user is left alone before a new create may take it. */
export const orphanAfterMs = 60_000;

/** Tries of one avatar swap against others swapping the same user's avatar at the same moment. */
const maxAvatarSwaps = 5;

const userKey = (id: string) => `USER#${id}`;
const emailKey = (email: string) => `EMAIL#${email}`;
const listKey = 'user';

function toUser(item: Record<string, unknown>): User {
  return {
    id: String(item.id),
    name: String(item.name),
    email: String(item.email),
    createdAt: String(item.createdAt),
    ...(typeof item.avatarKey === 'string' && { avatarKey: item.avatarKey }),
  };
}

export function dynamoUserStore(
  documents: DynamoDBDocumentClient,
  table: string,
  clock: () => Date,
): UserStore {
  const get = async (pk: string) =>
    (await documents.send(new GetCommand({ TableName: table, Key: { pk }, ConsistentRead: true }))).Item;

  /**
   * Reserves the e-mail for this user. An existing reservation whose user was never written (a create
   * that died between the two writes) is taken over once it is old enough to be surely abandoned.
   */
  async function reserveEmail(user: User): Promise<boolean> {
    const now = clock().getTime();
    const reservation = { pk: emailKey(user.email), userId: user.id, reservedAt: now };
    const fresh = await unlessConditionFails(
      documents.send(
        new PutCommand({
          TableName: table,
          Item: reservation,
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
    if (fresh) return true;
    const existing = await get(emailKey(user.email));
    // Ours: a try whose answer was lost landed, and the SDK's retry then failed the condition.
    if (existing?.userId === user.id) return true;
    if (!existing || (await get(userKey(String(existing.userId))))) return false;
    if (now - Number(existing.reservedAt) < orphanAfterMs) return false;
    const taken = await unlessConditionFails(
      documents.send(
        new PutCommand({
          TableName: table,
          Item: reservation,
          // Or ours: the takeover landed, and the SDK's retry finds it done.
          ConditionExpression: 'userId = :orphaned OR userId = :mine',
          ExpressionAttributeValues: { ':orphaned': existing.userId, ':mine': user.id },
        }),
      ),
    );
    return taken !== undefined;
  }

  return {
    async create(user) {
      if (!(await reserveEmail(user))) return false;
      try {
        await documents.send(
          new PutCommand({
            TableName: table,
            Item: { pk: userKey(user.id), ...user, listKey, createdKey: `${user.createdAt}#${user.id}` },
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        );
      } catch (error) {
        // A write whose answer was lost may have landed (a retry then fails its condition): the user
        // exists and keeps its e-mail. Unknown when the read fails too: the e-mail stays reserved,
        // since giving it back would let a retry create a second user with it; an orphan is taken
        // over after `orphanAfterMs`.
        const landed = await get(userKey(user.id)).then(Boolean, () => undefined);
        if (landed) return true;
        if (landed === undefined) throw error;
        // Give the e-mail back, so a retry is not told it is taken by a user that does not exist. If
        // this fails too, the reservation is taken over once orphaned.
        await unlessConditionFails(
          documents.send(
            new DeleteCommand({
              TableName: table,
              Key: { pk: emailKey(user.email) },
              ConditionExpression: 'userId = :mine',
              ExpressionAttributeValues: { ':mine': user.id },
            }),
          ),
        ).catch(() => {});
        throw error;
      }
      return true;
    },

    async get(id) {
      const item = await get(userKey(id));
      return item ? toUser(item) : undefined;
    },

    async findByEmail(email) {
      const reservation = await get(emailKey(email));
      if (!reservation) return undefined;
      const item = await get(userKey(String(reservation.userId)));
      return item ? toUser(item) : undefined;
    },

    async list(limit, after) {
      const { Items = [], LastEvaluatedKey } = await queryPage(documents, {
        TableName: table,
        IndexName: 'allUsers',
        KeyConditionExpression: 'listKey = :user',
        ExpressionAttributeValues: { ':user': listKey },
        Limit: limit,
        ExclusiveStartKey: after,
      });
      return { users: Items.map(toUser), ...(LastEvaluatedKey && { next: LastEvaluatedKey }) };
    },

    /**
     * A compare and swap on the key read first, not an update answering UPDATED_OLD: when a try whose
     * answer was lost landed, the SDK's retry would answer this very key as the old one, and the
     * avatar it replaced would be kept for good. Here that retry fails its condition, and a read
     * shows the swap was ours. Another upload swapping in between makes it read and try again.
     */
    async setAvatar(id, key) {
      for (let attempt = 1; attempt <= maxAvatarSwaps; attempt += 1) {
        const old = (await get(userKey(id)))?.avatarKey as string | undefined;
        const swapped = await unlessConditionFails(
          documents.send(
            new UpdateCommand({
              TableName: table,
              Key: { pk: userKey(id) },
              UpdateExpression: 'SET avatarKey = :key',
              ConditionExpression: old
                ? 'attribute_exists(pk) AND avatarKey = :old'
                : 'attribute_exists(pk) AND attribute_not_exists(avatarKey)',
              ExpressionAttributeValues: { ':key': key, ...(old && { ':old': old }) },
            }),
          ),
        );
        if (swapped || (await get(userKey(id)))?.avatarKey === key) return old ? { replaced: old } : {};
      }
      throw new Error(`the avatar could not be swapped in ${maxAvatarSwaps} tries`);
    },
  };
}
