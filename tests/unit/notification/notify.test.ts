import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { InvokeCommand, LambdaClient, TooManyRequestsException } from '@aws-sdk/client-lambda';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { handler as newClientCreated } from '../../../functions/notification/newClientCreated';
import { handler as newOrderCreated } from '../../../functions/notification/newOrderCreated';
import { callDirect, callHttp, httpEvent, parseBody } from '../support/events';

process.env['NOTIFICATIONS_TABLE'] = 'notifications';
process.env['CLIENT_GET_FUNCTION'] = 'shop-test-clientGet';
const dynamo = mockClient(DynamoDBDocumentClient);
const lambda = mockClient(LambdaClient);

const welcome = { clientId: 'c1', firstName: 'Ann', lastName: 'Lee', email: 'ann@example.com', login: 'ann' };
const newOrder = { clientId: 'c1', orderId: 'o1', sum: 12.5 };
const ann = { id: 'c1', firstName: 'Ann', lastName: 'Lee', email: 'ann@example.com', status: 'APPROVED' };
const payload = (value: unknown) => new TextEncoder().encode(JSON.stringify(value)) as never;
/** What the Invoke API answers for a thrown NotFound (errorType is the error's name, as on AWS). */
const clientNotFound = {
  FunctionError: 'Unhandled',
  Payload: payload({ errorType: 'NotFound', errorMessage: 'Client not found', trace: ['NotFound: Client not found'] }),
};

describe('Function: notify/newClientCreated', () => {
  beforeEach(() => {
    dynamo.reset();
    lambda.reset();
  });

  it('stores the notification in the global feed and answers it', async () => {
    dynamo.on(PutCommand).resolves({});

    const result = await callHttp(newClientCreated, httpEvent({ body: welcome }));

    expect([result.statusCode, parseBody(result)]).toEqual([
      200,
      {
        id: expect.any(String),
        type: 'newClientCreated',
        clientId: 'c1',
        data: welcome,
        createdAt: expect.any(String),
      },
    ]);
    expect(dynamo).toHaveReceivedCommandWith(PutCommand, {
      TableName: 'notifications',
      ConditionExpression: 'attribute_not_exists(id)',
      Item: expect.objectContaining({ type: 'newClientCreated', clientId: 'c1', data: welcome, feed: 'ALL' }),
    });
    expect(lambda).not.toHaveReceivedAnyCommand();
  });

  it('answers a repeated request id with the notification already stored', async () => {
    const stored = { id: 'n1', type: 'newClientCreated', clientId: 'c1', data: welcome, createdAt: 't', feed: 'ALL' };
    dynamo.on(PutCommand).rejects(new ConditionalCheckFailedException({ message: 'exists', $metadata: {} }));
    dynamo.on(GetCommand).resolves({ Item: stored });

    const result = await callDirect(newClientCreated, { requestId: 'saga-1', input: welcome });

    expect(result).toEqual({ id: 'n1', type: 'newClientCreated', clientId: 'c1', data: welcome, createdAt: 't' });
  });

  it.each([
    ['a missing login', { ...welcome, login: undefined }, 'login: is required'],
    ['an empty first name', { ...welcome, firstName: '' }, 'firstName: must not be empty'],
    ['an invalid email', { ...welcome, email: 'ann' }, 'email: must be a valid email address'],
    ['a clientId of the wrong type', { ...welcome, clientId: 1 }, 'clientId: must be a string'],
    ['an unknown field', { ...welcome, admin: true }, 'unknown field(s): admin'],
  ])('refuses %s with a 400 and stores nothing', async (_case, body, message) => {
    const result = await callHttp(newClientCreated, httpEvent({ body }));

    expect(result.statusCode).toBe(400);
    expect(parseBody(result).error).toContain(message);
    expect(dynamo).not.toHaveReceivedAnyCommand();
  });
});

describe('Function: notify/newOrderCreated', () => {
  beforeEach(() => {
    dynamo.reset();
    lambda.reset();
  });

  it('addresses the notification with the client the Client service returns', async () => {
    lambda.on(InvokeCommand).resolves({ StatusCode: 200, Payload: payload(ann) });
    dynamo.on(PutCommand).resolves({});

    const result = await callHttp(newOrderCreated, httpEvent({ body: newOrder }));

    expect(parseBody(result)).toEqual({
      id: expect.any(String),
      type: 'newOrderCreated',
      clientId: 'c1',
      data: { orderId: 'o1', sum: 12.5, client: { firstName: 'Ann', lastName: 'Lee', email: 'ann@example.com' } },
      createdAt: expect.any(String),
    });
    expect(dynamo).toHaveReceivedCommandWith(PutCommand, {
      Item: expect.objectContaining({ feed: 'ALL', data: expect.objectContaining({ orderId: 'o1', sumMinor: 1250 }) }),
    });
  });

  it("invokes the client lookup with a request id derived from the caller's", async () => {
    lambda.on(InvokeCommand).resolves({ StatusCode: 200, Payload: payload(ann) });
    dynamo.on(PutCommand).resolves({});

    await callHttp(newOrderCreated, httpEvent({ body: newOrder, headers: { 'X-Request-Id': 'order-saga-7' } }));
    await callHttp(newOrderCreated, httpEvent({ body: newOrder, headers: { 'X-Request-Id': 'order-saga-7' } }));

    const calls = lambda.commandCalls(InvokeCommand).map((call) => call.args[0].input);
    const sent = calls.map((input) => JSON.parse(new TextDecoder().decode(input.Payload as Uint8Array)));
    expect(calls.map((input) => input.FunctionName)).toEqual(['shop-test-clientGet', 'shop-test-clientGet']);
    expect(sent).toHaveLength(2);
    expect(sent[0]).toEqual({ requestId: expect.any(String), input: { clientId: 'c1' } });
    expect(sent[0].requestId).not.toBe('order-saga-7');
    expect(sent[1].requestId).toBe(sent[0].requestId);
  });

  it('answers 404 for an unknown client without retrying or storing anything', async () => {
    lambda.on(InvokeCommand).resolves(clientNotFound);

    const result = await callHttp(newOrderCreated, httpEvent({ body: newOrder }));

    expect([result.statusCode, parseBody(result)]).toEqual([404, { error: 'Client not found' }]);
    expect(lambda).toHaveReceivedCommandTimes(InvokeCommand, 1);
    expect(dynamo).not.toHaveReceivedAnyCommand();
  });

  it('throws NotFound by name to a direct caller for an unknown client', async () => {
    lambda.on(InvokeCommand).resolves(clientNotFound);

    await expect(callDirect(newOrderCreated, { input: newOrder })).rejects.toMatchObject({ name: 'NotFound' });
  });

  it('retries a transient Lambda failure and then succeeds', async () => {
    lambda
      .on(InvokeCommand)
      .rejectsOnce(new TooManyRequestsException({ message: 'Rate exceeded', $metadata: {} }))
      .resolves({ StatusCode: 200, Payload: payload(ann) });
    dynamo.on(PutCommand).resolves({});

    const result = await callHttp(newOrderCreated, httpEvent({ body: newOrder }));

    expect(result.statusCode).toBe(200);
    expect(parseBody(result).data.client.email).toBe('ann@example.com');
    expect(lambda).toHaveReceivedCommandTimes(InvokeCommand, 2);
    expect(dynamo).toHaveReceivedCommandTimes(PutCommand, 1);
  });

  it('answers 503 when the Client service stays unreachable, storing nothing', async () => {
    lambda.on(InvokeCommand).rejects(new Error('connect ECONNREFUSED'));

    const result = await callHttp(newOrderCreated, httpEvent({ body: newOrder }));

    expect(result.statusCode).toBe(503);
    expect(lambda).toHaveReceivedCommandTimes(InvokeCommand, 4);
    expect(dynamo).not.toHaveReceivedAnyCommand();
  });

  it.each([
    ['a missing orderId', { clientId: 'c1', sum: 1 }, 'orderId: is required'],
    ['an empty clientId', { ...newOrder, clientId: '' }, 'clientId: must not be empty'],
    ['a sum of zero', { ...newOrder, sum: 0 }, 'sum: must be greater than 0'],
    ['a negative sum', { ...newOrder, sum: -1 }, 'sum: must be greater than 0'],
    ['a sum given as a string', { ...newOrder, sum: '12.50' }, 'sum: must be a number'],
    ['a sum with 3 decimals', { ...newOrder, sum: 12.505 }, 'sum: must be a whole number of cents, at least 0.01'],
    ['an absurdly large sum', { ...newOrder, sum: 1e300 }, 'sum: must be at most'],
    ['an unknown field', { ...newOrder, note: 'hi' }, 'unknown field(s): note'],
  ])('refuses %s with a 400, asking and storing nothing', async (_case, body, message) => {
    const result = await callHttp(newOrderCreated, httpEvent({ body }));

    expect(result.statusCode).toBe(400);
    expect(parseBody(result).error).toContain(message);
    expect(lambda).not.toHaveReceivedAnyCommand();
    expect(dynamo).not.toHaveReceivedAnyCommand();
  });

  it('refuses malformed JSON and an oversized body', async () => {
    const malformed = await callHttp(newOrderCreated, httpEvent({ rawBody: '{"orderId"' }));
    const oversized = await callHttp(
      newOrderCreated,
      httpEvent({ rawBody: JSON.stringify({ ...newOrder, orderId: 'o'.repeat(70_000) }) }),
    );

    expect([malformed.statusCode, parseBody(malformed).error]).toEqual([400, 'Request body is not valid JSON']);
    expect(oversized.statusCode).toBe(413);
    expect(lambda).not.toHaveReceivedAnyCommand();
    expect(dynamo).not.toHaveReceivedAnyCommand();
  });
});
