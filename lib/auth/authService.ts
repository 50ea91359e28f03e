import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../common/aws';
import { tables } from '../common/config';
import { LoginTaken, Unauthorized, ValidationError } from '../common/errors';
import { newId } from '../common/ids';
import { logger } from '../common/observability';
import type { LoginInput, RegisterInput, Session, User } from './auth';
import { sessionTokenOf } from './gatewayPolicy';
import { admitAttempt, clearFailures, recordFailure } from './loginFailures';
import { dummyPasswordHash, hashPassword, isPasswordHash, verifyPassword } from './password';
import { newSessionToken, sessionKey, SESSION_TTL_SECONDS } from './sessionCookie';

interface UserRecord extends User {
  passwordHash: string;
  /** The request that created the user: its repeat answers like the first call instead of LoginTaken. */
  createdBy?: string;
  createdAt: string;
}

const toUser = ({ userId, login, clientId }: UserRecord): User => ({ userId, login, clientId });

/** One message for an unknown login and a wrong password, so the answer does not tell which it was. */
const BAD_CREDENTIALS = 'Invalid login or password';

/**
 * Registers a user from a password hash made by `hashPassword`. A saga hashes first and passes only the
 * hash, so the password never sits in a Step Functions execution history.
 */
export async function registerUser(
  input: { login: string; clientId: string; passwordHash: string },
  requestId?: string,
): Promise<User> {
  if (!isPasswordHash(input.passwordHash)) throw new ValidationError('passwordHash is not a password hash');
  const record: UserRecord = {
    // Random, not derived from the request id: the login is the key, and a repeat finds the stored user.
    userId: newId('user'),
    login: input.login,
    clientId: input.clientId,
    passwordHash: input.passwordHash,
    ...(requestId === undefined ? {} : { createdBy: requestId }),
    createdAt: new Date().toISOString(),
  };
  try {
    await documentClient.send(
      new PutCommand({
        TableName: tables.users(),
        Item: record,
        ConditionExpression: 'attribute_not_exists(login)',
      }),
    );
    logger.info('User registered', { userId: record.userId, clientId: record.clientId });
    return toUser(record);
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    const existing = requestId === undefined ? undefined : await findUser(input.login);
    if (requestId !== undefined && existing?.createdBy === requestId) return toUser(existing);
    throw new LoginTaken('Login is already taken', { cause: error });
  }
}

export async function register(
  { login, password, passwordHash, clientId }: RegisterInput,
  requestId?: string,
): Promise<User> {
  return registerUser({ login, clientId, passwordHash: passwordHash ?? (await hashPassword(password!)) }, requestId);
}

async function findUser(login: string): Promise<UserRecord | undefined> {
  const { Item } = await documentClient.send(
    new GetCommand({ TableName: tables.users(), Key: { login }, ConsistentRead: true }),
  );
  return Item as UserRecord | undefined;
}

/**
 * Checks the credentials and opens a session; answers with the cookie value, which is stored only as
 * its hash. The attempt is counted before the password is checked (loginFailures), so a burst of guesses
 * cannot all be checked. Unknown login and wrong password cost the same scrypt work and fail alike.
 */
export async function login({ login, password }: LoginInput): Promise<{ token: string; session: Session }> {
  const attempt = await admitAttempt(login);
  const user = await findUser(login);
  const matches = await verifyPassword(password, user?.passwordHash ?? (await dummyPasswordHash()));
  if (user === undefined || !matches) {
    await recordFailure(login, attempt);
    logger.info('Login failed', { login });
    throw new Unauthorized(BAD_CREDENTIALS);
  }
  await clearFailures(login);

  const token = newSessionToken();
  const now = Date.now();
  const session: Session = {
    id: sessionKey(token),
    ...toUser(user),
    createdAt: new Date(now).toISOString(),
    expiresAt: Math.floor(now / 1000) + SESSION_TTL_SECONDS,
  };
  await documentClient.send(new PutCommand({ TableName: tables.sessions(), Item: session }));
  logger.info('Logged in', { userId: user.userId, clientId: user.clientId });
  return { token, session };
}

/** The live session of a cookie value: expired ones count as absent even before DynamoDB's TTL removes them. */
export async function findSession(token: string): Promise<Session | undefined> {
  const { Item } = await documentClient.send(
    new GetCommand({ TableName: tables.sessions(), Key: { id: sessionKey(token) }, ConsistentRead: true }),
  );
  const session = Item as Session | undefined;
  if (session === undefined || !(session.expiresAt > Math.floor(Date.now() / 1000))) return undefined;
  return session;
}

/** Ends the session of a cookie value; ending one that has already ended (or expired) changes nothing. */
export async function logout(token: string): Promise<void> {
  await documentClient.send(new DeleteCommand({ TableName: tables.sessions(), Key: { id: sessionKey(token) } }));
}

/**
 * Logout: ends the session the request's cookies name, read exactly as the authorizer reads them (a repeated
 * `session` pair with one value is that session), so it ends the very session the authorizer would accept.
 * Without cookies naming one session it ends nothing, and says so: never OK for a session that still works.
 */
export async function endSession(cookies: readonly string[]): Promise<void> {
  const token = sessionTokenOf(cookies);
  if (token === undefined) throw new Unauthorized('No valid session cookie: no session was ended');
  await logout(token);
}
