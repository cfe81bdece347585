import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';

export interface Birthday {
  username: string;
  dateOfBirth: string;
}

/** The greetings port: where dates of birth live. */
export interface BirthdayStore {
  /** Saves or replaces the user's date of birth. */
  save(birthday: Birthday, at: Date): Promise<void>;
  find(username: string): Promise<Birthday | undefined>;
}

export function dynamoBirthdayStore(documents: DynamoDBDocumentClient, tableName: string): BirthdayStore {
  return {
    async save({ username, dateOfBirth }, at) {
      // A plain put: last writer wins, which is what "saves or replaces" means.
      await documents.send(
        new PutCommand({
          TableName: tableName,
          Item: { username, dateOfBirth, updatedAt: at.toISOString() },
        }),
      );
    },
    async find(username) {
      const { Item } = await documents.send(
        new GetCommand({
          TableName: tableName,
          Key: { username },
          ConsistentRead: true,
          ProjectionExpression: 'username, dateOfBirth',
        }),
      );
      return Item ? { username: String(Item.username), dateOfBirth: String(Item.dateOfBirth) } : undefined;
    },
  };
}
