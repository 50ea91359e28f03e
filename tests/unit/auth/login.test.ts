import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { sessionKey } from '../../../lib/auth/sessionCookie';
import { hashPassword } from '../../../lib/auth/password';
import { callHttp, httpEvent, parseBody, type HttpResult } from '../support/events';
import { captureLogs } from '../support/logCapture';

Object.assign(process.env, {
  USERS_TABLE: 'users',
  SESSIONS_TABLE: 'sessions',
  LOGIN_FAILURES_TABLE: 'login-failures',
  STAGE: 'dev',
});
// Imported after the environment is set: the handlers read STAGE at cold start.
import { handler as login } from '../../../functions/auth/login';
import { handler as logout } from '../../../functions/auth/logout';

const dynamo = mockClient(DynamoDBDocumentClient);
const password = 'correct horse battery';
let user: Record<string, unknown>;

const cookieOf = (result: HttpResult) => result.multiValueHeaders?.['Set-Cookie']?.[0] ?? '';
const tokenOf = (result: HttpResult) => /^session=([^;]*)/.exec(cookieOf(result))?.[1] ?? '';
const attempt = (body: unknown) => callHttp(login, httpEvent({ path: '/api/auth/login', body }));

describe('Function: auth/login', () => {
  beforeAll(async () => {
    user = { login: 'ann.lee', userId: 'u1', clientId: 'c1', passwordHash: await hashPassword(password) };
  });
  beforeEach(() => {
    dynamo.reset();
    dynamo.on(GetCommand, { TableName: 'users' }).resolves({});
    dynamo.on(GetCommand, { TableName: 'users', Key: { login: 'ann.lee' } }).resolves({ Item: user });
    dynamo.on(UpdateCommand).resolves({ Attributes: { attempts: 1 } });
  });

  it('opens a session and sets an HttpOnly, Secure, SameSite=Lax cookie', async () => {
    const result = await attempt({ login: 'ann.lee', password });

    expect([result.statusCode, parseBody(result)]).toEqual([200, { status: 'OK' }]);
    expect(cookieOf(result)).toMatch(
      /^session=[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Lax; Path=\/; Max-Age=43200; Secure$/,
    );
    expect(dynamo).toHaveReceivedCommandWith(DeleteCommand, { TableName: 'login-failures', Key: { login: 'ann.lee' } });
  });

  it('stores the session under the hash of the cookie value, with its owner and expiry', async () => {
    const before = Math.floor(Date.now() / 1000);

    const result = await attempt({ login: 'ann.lee', password });

    const session = dynamo.commandCalls(PutCommand, { TableName: 'sessions' })[0]?.args[0].input.Item;
    expect(session).toEqual({
      id: sessionKey(tokenOf(result)),
      userId: 'u1',
      clientId: 'c1',
      login: 'ann.lee',
      createdAt: expect.any(String),
      expiresAt: expect.any(Number),
    });
    expect(Number(session?.['expiresAt']) - before).toBeGreaterThanOrEqual(43200);
    expect(JSON.stringify(session)).not.toContain(tokenOf(result));
  });

  it('answers an unknown login exactly like a wrong password, and counts both', async () => {
    const wrong = await attempt({ login: 'ann.lee', password: 'wrong password' });
    const unknown = await attempt({ login: 'nobody', password });

    expect(wrong.statusCode).toBe(401);
    expect([unknown.statusCode, unknown.body]).toEqual([wrong.statusCode, wrong.body]);
    expect(parseBody(wrong)).toEqual({ error: 'Invalid login or password' });
    expect(dynamo.commandCalls(UpdateCommand, { TableName: 'login-failures' })).toHaveLength(2);
    expect(dynamo).not.toHaveReceivedCommandWith(PutCommand, { TableName: 'sessions' });
  });

  it('takes about as long for an unknown login as for a wrong password', async () => {
    const time = async (body: unknown) => {
      const started = process.hrtime.bigint();
      await attempt(body);
      return Number(process.hrtime.bigint() - started) / 1e6;
    };
    await time({ login: 'nobody', password }); // the dummy hash is made once per container

    const wrong = await time({ login: 'ann.lee', password: 'wrong password' });
    const unknown = await time({ login: 'nobody', password: 'wrong password' });

    expect(unknown).toBeGreaterThan(wrong / 3);
  });

  it('counts the attempt before checking the password, and the fifth failure locks the login', async () => {
    dynamo.on(UpdateCommand, { UpdateExpression: 'ADD attempts :one' }).resolves({ Attributes: { attempts: 5 } });

    const fifth = await attempt({ login: 'ann.lee', password: 'wrong password' });

    expect(fifth.statusCode).toBe(401);
    expect(dynamo.commandCalls(UpdateCommand)[0]?.args[0].input).toMatchObject({
      TableName: 'login-failures',
      Key: { login: 'ann.lee' },
      ConditionExpression: 'windowEndsAt > :now AND attempts < :max AND NOT lockedUntil > :now',
      ExpressionAttributeValues: { ':max': 5 },
    });
    expect(dynamo).toHaveReceivedCommandWith(UpdateCommand, {
      UpdateExpression: 'SET lockedUntil = :until, expiresAt = :until',
      ConditionExpression: 'attribute_exists(login)',
    });
  });

  it('refuses an attempt the window has no room for without looking the user up or checking the password', async () => {
    const full = new ConditionalCheckFailedException({ message: 'full', $metadata: {} });
    dynamo.on(UpdateCommand).rejects(full);
    dynamo.on(PutCommand, { TableName: 'login-failures' }).rejects(full);

    const right = await attempt({ login: 'ann.lee', password });

    expect([right.statusCode, parseBody(right)]).toEqual([429, { error: 'Too many failed logins: try again later' }]);
    expect(dynamo.commandCalls(UpdateCommand)).toHaveLength(2);
    expect(dynamo).not.toHaveReceivedCommandWith(GetCommand, { TableName: 'users' });
    expect(dynamo).not.toHaveReceivedCommandWith(PutCommand, { TableName: 'sessions' });
  });

  it('opens a window with the first attempt when none is open, then checks the password', async () => {
    dynamo.on(UpdateCommand).rejects(new ConditionalCheckFailedException({ message: 'none', $metadata: {} }));
    dynamo.on(PutCommand, { TableName: 'login-failures' }).resolves({});

    const result = await attempt({ login: 'ann.lee', password });

    expect(result.statusCode).toBe(200);
    expect(dynamo).toHaveReceivedCommandWith(PutCommand, {
      TableName: 'login-failures',
      Item: expect.objectContaining({ login: 'ann.lee', attempts: 1 }),
    });
  });

  it.each([
    ['a missing password', { login: 'ann.lee' }],
    ['an empty login', { login: '', password }],
    ['a login no user can have', { login: 'ann lee; --', password }],
    ['a number for a login', { login: 42, password }],
    ['an absurdly long password', { login: 'ann.lee', password: 'p'.repeat(5000) }],
  ])('refuses %s with a 400 before any lookup', async (_case, body) => {
    const result = await attempt(body);

    expect(result.statusCode).toBe(400);
    expect(parseBody(result)).toEqual({ error: expect.any(String) });
    expect(dynamo).not.toHaveReceivedAnyCommand();
  });

  it('never logs the password or the session cookie', async () => {
    const { result: ok, logs } = await captureLogs(async () => {
      await attempt({ login: 'ann.lee', password: 'wrong password' });
      return attempt({ login: 'ann.lee', password });
    });

    expect(logs).toContain('Logged in');
    expect(logs).toContain('Login failed');
    expect(logs).not.toContain(password);
    expect(logs).not.toContain('wrong password');
    expect(tokenOf(ok)).toHaveLength(43);
    expect(logs).not.toContain(tokenOf(ok));
  });
});

describe('Function: auth/logout', () => {
  beforeEach(() => dynamo.reset());

  it('deletes the session of the cookie and expires the cookie', async () => {
    dynamo.on(DeleteCommand).resolves({});
    const token = 'A'.repeat(43);

    const result = await callHttp(
      logout,
      httpEvent({ method: 'GET', path: '/api/auth/logout', headers: { Cookie: `session=${token}` } }),
    );

    expect([result.statusCode, parseBody(result)]).toEqual([200, { status: 'OK' }]);
    expect(cookieOf(result)).toBe('session=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0; Secure');
    expect(dynamo).toHaveReceivedCommandWith(DeleteCommand, { TableName: 'sessions', Key: { id: sessionKey(token) } });
  });

  it('ends the session of a cookie sent twice with the same value (a jar and an explicit header)', async () => {
    dynamo.on(DeleteCommand).resolves({});
    const token = 'B'.repeat(43);

    const result = await callHttp(
      logout,
      httpEvent({
        method: 'POST',
        path: '/api/auth/logout',
        headers: { Cookie: `session=${token}; session=${token}` },
      }),
    );

    expect([result.statusCode, parseBody(result)]).toEqual([200, { status: 'OK' }]);
    expect(dynamo).toHaveReceivedCommandWith(DeleteCommand, { TableName: 'sessions', Key: { id: sessionKey(token) } });
  });

  it.each([
    ['a malformed cookie', 'session="; DROP'],
    ['two different sessions', `session=${'A'.repeat(43)}; session=${'B'.repeat(43)}`],
    ['no session cookie', 'theme=dark'],
  ])('refuses with 401, ends nothing and says no OK for %s', async (_case, cookie) => {
    const result = await callHttp(
      logout,
      httpEvent({ method: 'GET', path: '/api/auth/logout', headers: { Cookie: cookie } }),
    );

    expect([result.statusCode, parseBody(result)]).toEqual([
      401,
      { error: 'No valid session cookie: no session was ended' },
    ]);
    expect(cookieOf(result)).toBe('');
    expect(dynamo).not.toHaveReceivedAnyCommand();
  });
});
