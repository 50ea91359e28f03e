import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../common/aws';
import { requireEnv } from '../common/config';
import { TooManyRequests } from '../common/errors';

/**
 * Brute-force brake, per login (existing or not, so a lockout tells nothing about which logins exist): at
 * most 5 login attempts are checked within 15 minutes, and the 5th failure locks the login for 15 minutes,
 * during which even the right password is answered 429. A successful login clears the count. Items expire
 * by TTL once nothing is pending.
 *
 * An attempt is counted, atomically, *before* its password is checked, and one beyond the limit is refused
 * without being checked. Counting failures afterwards would let a burst of parallel guesses all be checked
 * while the count was still low: 30 at once were all evaluated. Counted first, at most 5 are, however the
 * requests overlap.
 */
export const MAX_ATTEMPTS = 5;
export const WINDOW_SECONDS = 15 * 60;
export const LOCKOUT_SECONDS = 15 * 60;

const table = () => requireEnv('LOGIN_FAILURES_TABLE');
const nowSeconds = () => Math.floor(Date.now() / 1000);
const refusal = () => new TooManyRequests('Too many failed logins: try again later');

interface AttemptsRecord {
  login: string;
  /** Attempts admitted in the window, successful ones included until one clears the record. */
  attempts: number;
  windowEndsAt: number;
  lockedUntil?: number;
  expiresAt: number;
}

/**
 * Counts one attempt for the login, or refuses it (TooManyRequests) when the window has had its
 * MAX_ATTEMPTS or the login is locked. Answers the attempt's number within its window.
 */
export async function admitAttempt(login: string): Promise<number> {
  const now = nowSeconds();
  // A window is open (count in it), or none is (open one); if a concurrent attempt opened it in between,
  // the second count sees it. A refusal of all three means the window is full or the login locked.
  const attempt =
    (await countInWindow(login, now)) ?? (await openWindow(login, now)) ?? (await countInWindow(login, now));
  if (attempt === undefined) throw refusal();
  return attempt;
}

/** After a failed check: the attempt that used up the window locks the login for LOCKOUT_SECONDS. */
export async function recordFailure(login: string, attempt: number): Promise<void> {
  if (attempt < MAX_ATTEMPTS) return;
  const until = nowSeconds() + LOCKOUT_SECONDS;
  try {
    await documentClient.send(
      new UpdateCommand({
        TableName: table(),
        Key: { login },
        UpdateExpression: 'SET lockedUntil = :until, expiresAt = :until',
        // Not when a concurrent success has cleared the record: the right password was given.
        ConditionExpression: 'attribute_exists(login)',
        ExpressionAttributeValues: { ':until': until },
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
}

export async function clearFailures(login: string): Promise<void> {
  await documentClient.send(new DeleteCommand({ TableName: table(), Key: { login } }));
}

/** +1 inside the open window while it has room and the login is not locked; undefined otherwise. */
async function countInWindow(login: string, now: number): Promise<number | undefined> {
  try {
    const { Attributes } = await documentClient.send(
      new UpdateCommand({
        TableName: table(),
        Key: { login },
        UpdateExpression: 'ADD attempts :one',
        ConditionExpression: 'windowEndsAt > :now AND attempts < :max AND NOT lockedUntil > :now',
        ExpressionAttributeValues: { ':one': 1, ':now': now, ':max': MAX_ATTEMPTS },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return Number(Attributes?.['attempts']);
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return undefined;
    throw error;
  }
}

/** A fresh window holding this one attempt; undefined if a window is still open or the login locked. */
async function openWindow(login: string, now: number): Promise<number | undefined> {
  const windowEndsAt = now + WINDOW_SECONDS;
  const record: AttemptsRecord = { login, attempts: 1, windowEndsAt, expiresAt: windowEndsAt };
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
