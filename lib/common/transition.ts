import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { documentClient } from './aws';
import { InvalidTransition, NotFound } from './errors';

export interface StatusTransition<Status extends string> {
  table: string;
  key: Record<string, string>;
  /** What the record is called in error messages: "Client", "Order". */
  entity: string;
  to: Status;
  /** Statuses the record may move from. Being already in `to` is allowed too: a repeat is a no-op. */
  from: readonly Status[];
  /** Extra attributes written with the change (a rejection's reason, say). */
  set?: Record<string, unknown>;
}

/**
 * Moves a record to a new status in one conditional write, so two concurrent transitions cannot both
 * win. A record already in the target status is left as it is: repeating a transition is harmless, and
 * `changed` tells the first transition (which counts as a business event) from a repeat.
 */
export async function transitionStatus<Status extends string>(
  change: StatusTransition<Status>,
): Promise<{ changed: boolean }> {
  const allowed = [...new Set([...change.from, change.to])];
  const allowedValues = Object.fromEntries(allowed.map((status, i) => [`:from${i}`, status]));
  const extra = Object.entries(change.set ?? {});
  const assignments = ['#status = :to', 'updatedAt = :now', ...extra.map((_, i) => `#x${i} = :x${i}`)];
  try {
    const { Attributes } = await documentClient.send(
      new UpdateCommand({
        TableName: change.table,
        Key: change.key,
        UpdateExpression: `SET ${assignments.join(', ')}`,
        ConditionExpression: `attribute_exists(#status) AND #status IN (${Object.keys(allowedValues).join(', ')})`,
        ExpressionAttributeNames: {
          '#status': 'status',
          ...Object.fromEntries(extra.map(([name], i) => [`#x${i}`, name])),
        },
        ExpressionAttributeValues: {
          ':to': change.to,
          ':now': new Date().toISOString(),
          ...allowedValues,
          ...Object.fromEntries(extra.map(([, value], i) => [`:x${i}`, value])),
        },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        ReturnValues: 'UPDATED_OLD',
      }),
    );
    return { changed: Attributes?.['status'] !== change.to };
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    // The document client does not unmarshall an error's item.
    const current: unknown = error.Item === undefined ? undefined : unmarshall(error.Item)['status'];
    if (current === undefined) throw new NotFound(`${change.entity} not found`, { cause: error });
    throw new InvalidTransition(`${change.entity} is ${String(current)} and cannot become ${change.to}`, {
      cause: error,
    });
  }
}
