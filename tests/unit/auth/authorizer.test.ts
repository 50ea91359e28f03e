import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { handler } from '../../../functions/auth/authorizer';
import { newSessionToken, sessionKey } from '../../../lib/auth/sessionCookie';
import { lambdaContext } from '../support/events';
import { captureLogs } from '../support/logCapture';

process.env['SESSIONS_TABLE'] = 'sessions';
const dynamo = mockClient(DynamoDBDocumentClient);
const methodArn = 'arn:aws:execute-api:us-east-1:123456789012:abc123/dev/GET/api/me';
const token = newSessionToken();
const inAnHour = () => Math.floor(Date.now() / 1000) + 3600;
const session = () => ({
  id: sessionKey(token),
  userId: 'u1',
  clientId: 'c1',
  login: 'ann.lee',
  expiresAt: inAnHour(),
});

function authorizerEvent(cookie?: string | string[]): APIGatewayRequestAuthorizerEvent {
  const cookies = cookie === undefined ? [] : [cookie].flat();
  return {
    type: 'REQUEST',
    methodArn,
    headers: cookies.length > 0 ? { Cookie: cookies.at(-1) ?? '' } : {},
    multiValueHeaders: cookies.length > 0 ? { Cookie: cookies } : {},
  } as unknown as APIGatewayRequestAuthorizerEvent;
}
const authorize = (cookie?: string | string[]) => handler(authorizerEvent(cookie), lambdaContext);

describe('Function: auth/authorizer', () => {
  beforeEach(() => {
    dynamo.reset();
    dynamo.on(GetCommand).resolves({});
  });

  it('allows the whole API for a live session and passes who the caller is', async () => {
    dynamo.on(GetCommand, { TableName: 'sessions', Key: { id: sessionKey(token) } }).resolves({ Item: session() });

    const result = await authorize(`theme=dark; session=${token}`);

    expect(result).toEqual({
      principalId: 'u1',
      policyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Action: 'execute-api:Invoke',
            Effect: 'Allow',
            Resource: 'arn:aws:execute-api:us-east-1:123456789012:abc123/dev/*',
          },
        ],
      },
      context: { userId: 'u1', clientId: 'c1', login: 'ann.lee' },
    });
  });

  it('refuses an expired session even before DynamoDB has removed it', async () => {
    dynamo.on(GetCommand).resolves({ Item: { ...session(), expiresAt: Math.floor(Date.now() / 1000) - 1 } });

    await expect(authorize(`session=${token}`)).rejects.toThrow(new Error('Unauthorized'));
  });

  it('refuses an unknown session', async () => {
    await expect(authorize(`session=${newSessionToken()}`)).rejects.toThrow(new Error('Unauthorized'));
  });

  it.each([
    ['no cookie', undefined],
    ['a cookie with an injected quote', `session="${token.slice(2)}"`],
    ['a cookie with CR LF', `session=${token.slice(0, 41)}\r\n`],
    ['a very long cookie', `session=${'A'.repeat(100_000)}`],
    ['two Cookie headers naming a session each', [`session=${token}`, `session=${newSessionToken()}`]],
  ])('refuses %s without a lookup', async (_case, cookie) => {
    await expect(authorize(cookie)).rejects.toThrow(new Error('Unauthorized'));

    expect(dynamo).not.toHaveReceivedAnyCommand();
  });

  it('lets a DynamoDB failure be a failure, not a 401', async () => {
    dynamo.on(GetCommand).rejects(new Error('throttled'));

    await expect(authorize(`session=${token}`)).rejects.toThrow('throttled');
  });

  it('never logs the cookie value', async () => {
    dynamo.on(GetCommand).resolves({ Item: session() });

    const { logs } = await captureLogs(async () => {
      await authorize(`session=${token}`);
      await authorize(`session=${newSessionToken()}`).catch(() => undefined);
      return authorize(`session=${token.slice(1)}`).catch(() => undefined);
    });

    expect(logs).toContain('Session refused');
    expect(logs).not.toContain(token);
    expect(logs).not.toContain(token.slice(1));
  });
});
