import { resourceName } from './stack';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';

/** Direct reads of the local DynamoDB, to check what a call did (or did not) write. */
export const tableName = (table: string) => resourceName(table);

let client: DynamoDBDocumentClient | undefined;
export function db(): DynamoDBDocumentClient {
  client ??= DynamoDBDocumentClient.from(new DynamoDBClient({}));
  return client;
}

export async function getItem(table: string, key: Record<string, unknown>) {
  const { Item } = await db().send(new GetCommand({ TableName: tableName(table), Key: key }));
  return Item;
}

export async function queryItems(
  table: string,
  keyCondition: string,
  values: Record<string, unknown>,
  names?: Record<string, string>,
) {
  const { Items } = await db().send(
    new QueryCommand({
      TableName: tableName(table),
      KeyConditionExpression: keyCondition,
      ExpressionAttributeValues: values,
      ...(names ? { ExpressionAttributeNames: names } : {}),
    }),
  );
  return Items ?? [];
}

export async function countItems(table: string): Promise<number> {
  const { Count } = await db().send(new ScanCommand({ TableName: tableName(table), Select: 'COUNT' }));
  return Count ?? 0;
}
