import { type DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';

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

/**
 * On the low-level client, not lib-dynamodb's document client: an item of three strings needs no
 * marshalling library, and the document client's extra middleware costs about a fifth of a GetItem's
 * CPU, which is most of what `GET /hello/{username}` spends beyond the call (docs/performance.md, P2).
 */
export function dynamoBirthdayStore(dynamodb: DynamoDBClient, tableName: string): BirthdayStore {
  return {
    async save({ username, dateOfBirth }, at) {
      // A plain put: last writer wins, which is what "saves or replaces" means.
      await dynamodb.send(
        new PutItemCommand({
          TableName: tableName,
          Item: {
            username: { S: username },
            dateOfBirth: { S: dateOfBirth },
            updatedAt: { S: at.toISOString() },
          },
        }),
      );
    },
    async find(username) {
      const { Item } = await dynamodb.send(
        new GetItemCommand({
          TableName: tableName,
          Key: { username: { S: username } },
          // Read-your-writes: a PUT then a GET must greet with the date just saved.
          ConsistentRead: true,
          ProjectionExpression: 'dateOfBirth',
        }),
      );
      const dateOfBirth = Item?.dateOfBirth?.S;
      return dateOfBirth === undefined ? undefined : { username, dateOfBirth };
    },
  };
}
