import { InvokeCommand, LambdaClient, type InvokeCommandOutput } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { handler } from '../../../functions/auth/me';
import { callHttp, httpEvent, parseBody } from '../support/events';

Object.assign(process.env, {
  CLIENT_GET_FUNCTION: 'shop-test-clientGet',
  BILLING_GET_FUNCTION: 'shop-test-billingGet',
});
const lambda = mockClient(LambdaClient);
const answer = (value: unknown) => ({
  StatusCode: 200,
  Payload: new TextEncoder().encode(JSON.stringify(value)) as InvokeCommandOutput['Payload'],
});
const payloadOf = (functionName: string) =>
  JSON.parse(
    new TextDecoder().decode(
      lambda.commandCalls(InvokeCommand, { FunctionName: functionName })[0]?.args[0].input.Payload as Uint8Array,
    ),
  );

describe('Function: auth/me', () => {
  beforeEach(() => {
    lambda.reset();
    lambda
      .on(InvokeCommand, { FunctionName: 'shop-test-clientGet' })
      .resolves(answer({ id: 'c1', firstName: 'Ann', lastName: 'Lee', email: 'ann@example.com', status: 'APPROVED' }));
    lambda
      .on(InvokeCommand, { FunctionName: 'shop-test-billingGet' })
      .resolves(answer({ clientId: 'c1', balance: 12.5 }));
  });

  it('answers the profile of the caller the authorizer established', async () => {
    const result = await callHttp(
      handler,
      httpEvent({ method: 'GET', path: '/api/me', authorizer: { userId: 'u1', clientId: 'c1', login: 'ann.lee' } }),
    );

    expect([result.statusCode, parseBody(result)]).toEqual([
      200,
      { clientId: 'c1', login: 'ann.lee', firstName: 'Ann', lastName: 'Lee', email: 'ann@example.com', balance: 12.5 },
    ]);
    expect(payloadOf('shop-test-clientGet')).toEqual({ requestId: expect.any(String), input: { clientId: 'c1' } });
    expect(payloadOf('shop-test-billingGet')).toEqual({ requestId: expect.any(String), input: { clientId: 'c1' } });
  });

  it('ignores a clientId claimed in a header or the query string', async () => {
    const event = httpEvent({
      method: 'GET',
      path: '/api/me',
      headers: { 'X-ClientId': 'c2' },
      authorizer: { userId: 'u1', clientId: 'c1', login: 'ann.lee' },
    });
    event.queryStringParameters = { clientId: 'c2' };

    const result = await callHttp(handler, event);

    expect(parseBody(result).clientId).toBe('c1');
    expect(payloadOf('shop-test-clientGet')).toEqual({ requestId: expect.any(String), input: { clientId: 'c1' } });
  });

  it('refuses a call without an authorizer context with 401', async () => {
    const result = await callHttp(handler, httpEvent({ method: 'GET', path: '/api/me' }));

    expect([result.statusCode, parseBody(result)]).toEqual([401, { error: 'Authentication required' }]);
    expect(lambda).not.toHaveReceivedAnyCommand();
  });
});
