import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { handler } from '../../../functions/auth/register';
import { registerUser } from '../../../lib/auth/authService';
import { hashPassword, verifyPassword } from '../../../lib/auth/password';
import { callDirect, callHttp, httpEvent, parseBody } from '../support/events';
import { captureLogs } from '../support/logCapture';

process.env['USERS_TABLE'] = 'users';
const dynamo = mockClient(DynamoDBDocumentClient);
const ann = { login: 'ann.lee', password: 'correct horse battery', clientId: 'client-1' };
const taken = () => new ConditionalCheckFailedException({ message: 'exists', $metadata: {} });

describe('Function: auth/register', () => {
  beforeEach(() => dynamo.reset());

  it('creates a user with a unique login and a scrypt hash, and never returns or logs the password', async () => {
    dynamo.on(PutCommand).resolves({});

    const { result, logs } = await captureLogs(() => callHttp(handler, httpEvent({ body: ann })));

    expect(result.statusCode).toBe(200);
    expect(parseBody(result)).toEqual({ userId: expect.any(String), login: 'ann.lee', clientId: 'client-1' });
    expect(result.body).not.toContain(ann.password);
    const item = dynamo.commandCalls(PutCommand)[0]?.args[0].input.Item;
    expect(dynamo.commandCalls(PutCommand)[0]?.args[0].input.ConditionExpression).toBe('attribute_not_exists(login)');
    expect(JSON.stringify(item)).not.toContain(ann.password);
    await expect(verifyPassword(ann.password, String(item?.['passwordHash']))).resolves.toBe(true);
    expect(logs).toContain('User registered');
    expect(logs).not.toContain(ann.password);
  });

  it('refuses a taken login with 409 LoginTaken', async () => {
    dynamo.on(PutCommand).rejects(taken());
    dynamo.on(GetCommand).resolves({ Item: { login: 'ann.lee', userId: 'u0', clientId: 'other', createdBy: 'r0' } });

    const result = await callHttp(handler, httpEvent({ body: ann, headers: { 'X-Request-Id': 'r1' } }));
    const direct = callDirect(handler, { input: ann });

    expect([result.statusCode, parseBody(result)]).toEqual([409, { error: 'Login is already taken' }]);
    await expect(direct).rejects.toMatchObject({ name: 'LoginTaken' });
  });

  it('answers the repeat of the request that created the user as the first call did', async () => {
    dynamo.on(PutCommand).rejects(taken());
    dynamo.on(GetCommand).resolves({
      Item: { login: 'ann.lee', userId: 'u1', clientId: 'client-1', createdBy: 'task-7', passwordHash: 'h' },
    });

    const repeated = await callDirect(handler, { requestId: 'task-7', input: ann });

    expect(repeated).toEqual({ userId: 'u1', login: 'ann.lee', clientId: 'client-1' });
  });

  it('registers from a precomputed hash, so a saga never carries the password', async () => {
    dynamo.on(PutCommand).resolves({});
    const passwordHash = await hashPassword(ann.password);

    const user = await registerUser({ login: 'ann.lee', clientId: 'client-1', passwordHash }, 'saga-1');

    expect(user).toEqual({ userId: expect.any(String), login: 'ann.lee', clientId: 'client-1' });
    expect(dynamo).toHaveReceivedCommandWith(PutCommand, {
      Item: expect.objectContaining({ passwordHash, createdBy: 'saga-1' }),
    });
  });

  it('refuses a precomputed hash that is not one', async () => {
    await expect(registerUser({ login: 'ann.lee', clientId: 'c', passwordHash: 'plain text' })).rejects.toMatchObject({
      name: 'ValidationError',
    });
    expect(dynamo).not.toHaveReceivedAnyCommand();
  });

  it.each([
    ['a short login', { ...ann, login: 'al' }, 'login: must be at least 3 characters'],
    ['a long login', { ...ann, login: 'a'.repeat(65) }, 'login: must be at most 64 characters'],
    ['a login with a space', { ...ann, login: 'ann lee' }, 'login: must contain only'],
    ['a login with a quote', { ...ann, login: "ann'--" }, 'login: must contain only'],
    ['a short password', { ...ann, password: 'seven77' }, 'password: must be at least 8 characters'],
    ['a long password', { ...ann, password: 'p'.repeat(1025) }, 'password: must be at most 1024 characters'],
    ['a missing clientId', { login: 'ann.lee', password: ann.password }, 'clientId: is required'],
    ['an unknown field', { ...ann, admin: true }, 'unknown field(s): admin'],
  ])('refuses %s with a 400 and writes nothing', async (_case, body, message) => {
    const result = await callHttp(handler, httpEvent({ body }));

    expect(result.statusCode).toBe(400);
    expect(parseBody(result).error).toContain(message);
    expect(dynamo).not.toHaveReceivedAnyCommand();
  });

  it('counts password length in characters, so 8 emoji are enough', async () => {
    dynamo.on(PutCommand).resolves({});

    const result = await callHttp(handler, httpEvent({ body: { ...ann, password: '🔑'.repeat(8) } }));

    expect(result.statusCode).toBe(200);
  });
});
