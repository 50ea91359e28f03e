import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { handler } from '../../../functions/order/create';
import { callDirect, callHttp, httpEvent, parseBody } from '../support/events';

process.env['ORDERS_TABLE'] = 'orders';
const dynamo = mockClient(DynamoDBDocumentClient);
const order = { clientId: 'client-1', sum: 12.34 };

describe('Function: order/create', () => {
  beforeEach(() => dynamo.reset());

  it('creates a PENDING order, storing the sum in minor units', async () => {
    dynamo.on(PutCommand).resolves({});

    const result = await callHttp(handler, httpEvent({ body: order }));

    expect(result.statusCode).toBe(200);
    expect(parseBody(result)).toEqual({ id: expect.any(String), ...order, status: 'PENDING' });
    expect(dynamo).toHaveReceivedCommandWith(PutCommand, {
      TableName: 'orders',
      ConditionExpression: 'attribute_not_exists(id)',
      Item: expect.objectContaining({ clientId: 'client-1', sumMinor: 1234, status: 'PENDING' }),
    });
  });

  it('answers a repeated request id with the order the first request created', async () => {
    const existing = {
      id: 'o1',
      clientId: 'client-1',
      sumMinor: 1234,
      status: 'CONFIRMED',
      createdAt: 't',
      updatedAt: 't',
    };
    dynamo.on(PutCommand).rejects(new ConditionalCheckFailedException({ message: 'exists', $metadata: {} }));
    dynamo.on(GetCommand).resolves({ Item: existing });

    const result = await callHttp(handler, httpEvent({ body: order, headers: { 'X-Request-Id': 'req-1' } }));

    expect(parseBody(result)).toEqual({ id: 'o1', clientId: 'client-1', sum: 12.34, status: 'CONFIRMED' });
  });

  it('refuses an id already used for another order with a 409', async () => {
    const other = {
      id: 'o1',
      clientId: 'someone-else',
      sumMinor: 500,
      status: 'PENDING',
      createdAt: 't',
      updatedAt: 't',
    };
    dynamo.on(PutCommand).rejects(new ConditionalCheckFailedException({ message: 'exists', $metadata: {} }));
    dynamo.on(GetCommand).resolves({ Item: other });

    const result = await callHttp(handler, httpEvent({ body: { ...order, orderId: 'o1' } }));

    expect(result.statusCode).toBe(409);
    expect(parseBody(result).error).toBe('Order o1 already exists with other details');
  });

  it('uses the id the saga assigns', async () => {
    dynamo.on(PutCommand).resolves({});

    const result = await callHttp(handler, httpEvent({ body: { ...order, orderId: 'assigned-1' } }));

    expect(parseBody(result).id).toBe('assigned-1');
  });

  it('derives the same order id from the same request id', async () => {
    dynamo.on(PutCommand).resolves({});
    const create = (requestId: string) =>
      callHttp(handler, httpEvent({ body: order, headers: { 'x-request-id': requestId } })).then(parseBody);

    const [first, second, other] = [await create('r'), await create('r'), await create('s')];

    expect(first.id).toBe(second.id);
    expect(other.id).not.toBe(first.id);
  });

  it.each([
    ['a missing sum', { clientId: 'c1' }, 'sum: is required'],
    ['a missing clientId', { sum: 1 }, 'clientId: is required'],
    ['an empty clientId', { clientId: '', sum: 1 }, 'clientId: must not be empty'],
    ['a clientId of the wrong type', { clientId: 7, sum: 1 }, 'clientId: must be a string'],
    ['a sum of zero', { clientId: 'c1', sum: 0 }, 'sum: must be greater than 0'],
    ['a negative sum', { clientId: 'c1', sum: -5 }, 'sum: must be greater than 0'],
    ['a sum given as a string', { clientId: 'c1', sum: '10' }, 'sum: must be a number'],
    ['a sum with 3 decimals', { clientId: 'c1', sum: 1.005 }, 'sum: must be a whole number of cents, at least 0.01'],
    ['an absurdly large sum', { clientId: 'c1', sum: 1e18 }, 'sum: must be at most'],
    ['an unknown field', { ...order, status: 'CONFIRMED' }, 'unknown field(s): status'],
    ['an array body', [order], 'Request body must be a JSON object'],
  ])('refuses %s with a 400 and writes nothing', async (_case, body, message) => {
    const result = await callHttp(handler, httpEvent({ body }));

    expect(result.statusCode).toBe(400);
    expect(parseBody(result).error).toContain(message);
    expect(dynamo).not.toHaveReceivedAnyCommand();
  });

  it('refuses malformed JSON, an empty body and an oversized body', async () => {
    const malformed = await callHttp(handler, httpEvent({ rawBody: '{"clientId":' }));
    const empty = await callHttp(handler, httpEvent({ rawBody: '' }));
    const oversized = await callHttp(
      handler,
      httpEvent({ rawBody: JSON.stringify({ ...order, pad: 'x'.repeat(70_000) }) }),
    );

    expect([malformed.statusCode, parseBody(malformed).error]).toEqual([400, 'Request body is not valid JSON']);
    expect([empty.statusCode, parseBody(empty).error]).toEqual([400, 'Request body is required']);
    expect(oversized.statusCode).toBe(413);
    expect(dynamo).not.toHaveReceivedAnyCommand();
  });

  it('answers a direct invocation with the plain order and throws typed errors', async () => {
    dynamo.on(PutCommand).resolves({});

    const created = await callDirect(handler, { requestId: 'task-1', input: order });
    await expect(callDirect(handler, { input: { clientId: 'c1', sum: -1 } })).rejects.toMatchObject({
      name: 'ValidationError',
    });

    expect(created).toEqual({ id: expect.any(String), ...order, status: 'PENDING' });
  });

  it('hides an unexpected failure behind a generic 500', async () => {
    dynamo.on(PutCommand).rejects(new Error('socket hang up at 10.0.0.1'));

    const result = await callHttp(handler, httpEvent({ body: order }));

    expect([result.statusCode, parseBody(result)]).toEqual([500, { error: 'Internal error' }]);
  });
});
