import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../common/aws';
import { requireEnv } from '../common/config';

/**
 * Brute-force brake, per login (existing or not, so a lockout tells nothing about which logins exist):
 * 5 failed logins within 15 minutes lock the login for 15 minutes, during which even the right password
 * is answered 429. A successful login clears the count. Items expire by TTL once nothing is pending.
 */
export const MAX_FAILURES = 5;
export const FAILURE_WINDOW_SECONDS = 15 * 60;
export const LOCKOUT_SECONDS = 15 * 60;

const table = () => requireEnv('LOGIN_FAILURES_TABLE');
const nowSeconds = () => Math.floor(Date.now() / 1000);

interface FailureRecord {
  login: string;
  failures: number;
  windowEndsAt: number;
  lockedUntil?: number;
  expiresAt: number;
}

/** Until when (epoch seconds) the login is locked, or undefined if it is not. */
export async function lockedUntil(login: string): Promise<number | undefined> {
  const { Item } = await documentClient.send(
    new GetCommand({ TableName: table(), Key: { login }, ConsistentRead: true }),
  );
  const until = (Item as FailureRecord | undefined)?.lockedUntil;
  return until !== undefined && until > nowSeconds() ? until : undefined;
}

/** Counts one failure atomically; the failure that reaches the limit sets the lock. */
export async function recordFailure(login: string): Promise<void> {
  const now = nowSeconds();
  const failures =
    (await incrementInWindow(login, now)) ?? (await startWindow(login, now)) ?? (await incrementInWindow(login, now));
  if (failures !== undefined && failures >= MAX_FAILURES) {
    const until = now + LOCKOUT_SECONDS;
    await documentClient.send(
      new UpdateCommand({
        TableName: table(),
        Key: { login },
        UpdateExpression: 'SET lockedUntil = :until, expiresAt = :until',
        ExpressionAttributeValues: { ':until': until },
      }),
    );
  }
}

export async function clearFailures(login: string): Promise<void> {
  await documentClient.send(new DeleteCommand({ TableName: table(), Key: { login } }));
}

/** +1 inside the current window; undefined when there is no open window. */
async function incrementInWindow(login: string, now: number): Promise<number | undefined> {
  try {
    const { Attributes } = await documentClient.send(
      new UpdateCommand({
        TableName: table(),
        Key: { login },
        UpdateExpression: 'ADD failures :one',
        ConditionExpression: 'windowEndsAt > :now',
        ExpressionAttributeValues: { ':one': 1, ':now': now },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return Number(Attributes?.['failures']);
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return undefined;
    throw error;
  }
}

/** A fresh window with one failure; undefined if a concurrent failure opened one first. */
async function startWindow(login: string, now: number): Promise<number | undefined> {
  const windowEndsAt = now + FAILURE_WINDOW_SECONDS;
  const record: FailureRecord = { login, failures: 1, windowEndsAt, expiresAt: windowEndsAt };
  try {
    await documentClient.send(
      new PutCommand({
        TableName: table(),
        Item: record,
        // A lock outlives its window: never overwrite one that is still running.
        ConditionExpression: '(attribute_not_exists(login) OR windowEndsAt <= :now) AND NOT lockedUntil > :now',
        ExpressionAttributeValues: { ':now': now },
      }),
    );
    return 1;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return undefined;
    throw error;
  }
}
