import { type DynamoDBDocumentClient, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';

/**
 * A page cursor the API did not make, or made for another query. Its `statusCode` makes the error
 * model answer 400 rather than 500; the tenant or partition in the key condition still decides what
 * can be read, so a forged cursor never reaches other data.
 */
export class InvalidPageCursor extends Error {
  readonly statusCode = 400;
  constructor() {
    super('querystring.cursor is not a cursor this API returned for this query');
    this.name = 'InvalidPageCursor';
  }
}

/** One Query page; DynamoDB refusing the start key (wrong shape or partition) is the caller's error. */
export async function queryPage(documents: DynamoDBDocumentClient, input: QueryCommandInput) {
  try {
    return await documents.send(new QueryCommand(input));
  } catch (error) {
    if (input.ExclusiveStartKey && (error as Error).name === 'ValidationException')
      throw new InvalidPageCursor();
    throw error;
  }
}
