import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from './aws';

/**
 * Writes `item` only if no record has its key yet, and says which happened. A record whose key derives
 * from the request id (or that the caller named) can therefore be written once: a repeated request, or a
 * Task delivered twice, finds `'exists'` and answers from the stored record instead.
 */
export async function putOnce(table: string, item: object, keyAttribute: string): Promise<'created' | 'exists'> {
  try {
    await documentClient.send(
      new PutCommand({
        TableName: table,
        Item: item as Record<string, unknown>,
        ConditionExpression: `attribute_not_exists(${keyAttribute})`,
      }),
    );
    return 'created';
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return 'exists';
    throw error;
  }
}
