import { DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { handler as apiOrder } from '../../../functions/order/apiOrder';
import { handler as apiOrders } from '../../../functions/order/apiOrders';
import { handler as getOrder } from '../../../functions/order/get';
import { callDirect, callHttp, httpEvent, parseBody } from '../support/events';

process.env['ORDERS_TABLE'] = 'orders';
const dynamo = mockClient(DynamoDBDocumentClient);
const ann = { userId: 'user-ann', clientId: 'client-ann' };
const record = (id: string, clientId: string, extra: Record<string, unknown> = {}) => ({
  id,
  clientId,
  sumMinor: 1999,
  status: 'PENDING',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  ...extra,
});
const getEvent = (path: string, options: Parameters<typeof httpEvent>[0] = {}) =>
  httpEvent({ method: 'GET', path, ...options });

describe('Function: order/get', () => {
  beforeEach(() => dynamo.reset());

  it('answers the order with its sum in major units', async () => {
    dynamo.on(GetCommand, { Key: { id: 'o1' } }).resolves({ Item: record('o1', 'c1') });

    const result = await callHttp(
      getOrder,
      getEvent('/dev/orderService/order/o1', { pathParameters: { orderId: 'o1' } }),
    );

    expect(parseBody(result)).toEqual({
      id: 'o1',
      clientId: 'c1',
      sum: 19.99,
      status: 'PENDING',
      createdAt: '2026-01-01T00:00:00.000Z',
    });
  });

  it('includes the reason of a rejected order', async () => {
    dynamo.on(GetCommand).resolves({ Item: record('o1', 'c1', { status: 'REJECTED', reason: 'InsufficientFunds' }) });

    const order = await callDirect(getOrder, { input: { orderId: 'o1' } });

    expect(order).toMatchObject({ status: 'REJECTED', reason: 'InsufficientFunds' });
  });

  it('answers 404 for an unknown order', async () => {
    dynamo.on(GetCommand).resolves({});

    const result = await callHttp(getOrder, getEvent('/x', { pathParameters: { orderId: 'missing' } }));

    expect([result.statusCode, parseBody(result)]).toEqual([404, { error: 'Order not found' }]);
  });

  it('refuses an invalid order id with a 400 without reading', async () => {
    const result = await callHttp(getOrder, getEvent('/x', { pathParameters: { orderId: 'x'.repeat(65) } }));

    expect(result.statusCode).toBe(400);
    expect(dynamo).not.toHaveReceivedAnyCommand();
  });
});

describe('Function: GET /api/orders', () => {
  beforeEach(() => dynamo.reset());

  it("lists the caller's orders newest first from the byClient index", async () => {
    const newer = record('o2', ann.clientId, { createdAt: '2026-02-01T00:00:00.000Z' });
    dynamo.on(QueryCommand).resolves({ Items: [newer, record('o1', ann.clientId)] });

    const result = await callHttp(apiOrders, getEvent('/api/orders', { authorizer: ann }));

    expect(parseBody(result).orders.map((order: { id: string }) => order.id)).toEqual(['o2', 'o1']);
    expect(dynamo).toHaveReceivedCommandWith(QueryCommand, {
      TableName: 'orders',
      IndexName: 'byClient',
      ExpressionAttributeValues: { ':clientId': ann.clientId },
      ScanIndexForward: false,
    });
  });

  it("follows the query's pages to the end", async () => {
    dynamo
      .on(QueryCommand)
      .resolvesOnce({ Items: [record('o2', ann.clientId)], LastEvaluatedKey: { id: 'o2' } })
      .resolvesOnce({ Items: [record('o1', ann.clientId)] });

    const result = await callHttp(apiOrders, getEvent('/api/orders', { authorizer: ann }));

    expect(parseBody(result).orders).toHaveLength(2);
    expect(dynamo).toHaveReceivedCommandTimes(QueryCommand, 2);
    expect(dynamo).toHaveReceivedNthCommandWith(2, QueryCommand, { ExclusiveStartKey: { id: 'o2' } });
  });

  it('answers an empty list to a client without orders', async () => {
    dynamo.on(QueryCommand).resolves({ Items: [] });

    const result = await callHttp(apiOrders, getEvent('/api/orders', { authorizer: ann }));

    expect([result.statusCode, parseBody(result)]).toEqual([200, { orders: [] }]);
  });

  it('answers 401 without a caller and reads nothing', async () => {
    const result = await callHttp(apiOrders, getEvent('/api/orders'));

    expect([result.statusCode, parseBody(result)]).toEqual([401, { error: 'Authentication required' }]);
    expect(dynamo).not.toHaveReceivedAnyCommand();
  });

  it('refuses a direct call that names a client in its input instead of carrying a caller', async () => {
    await expect(callDirect(apiOrders, { input: { clientId: 'client-bob' } })).rejects.toMatchObject({
      name: 'Unauthorized',
    });
    expect(dynamo).not.toHaveReceivedAnyCommand();
  });
});

describe('Function: GET /api/orders/{orderId}', () => {
  beforeEach(() => dynamo.reset());

  it("answers one of the caller's own orders, with its reason when rejected", async () => {
    dynamo
      .on(GetCommand)
      .resolves({ Item: record('o1', ann.clientId, { status: 'REJECTED', reason: 'InsufficientFunds' }) });

    const result = await callHttp(
      apiOrder,
      getEvent('/api/orders/o1', { authorizer: ann, pathParameters: { orderId: 'o1' } }),
    );

    expect([result.statusCode, parseBody(result)]).toEqual([
      200,
      {
        id: 'o1',
        clientId: ann.clientId,
        sum: 19.99,
        status: 'REJECTED',
        reason: 'InsufficientFunds',
        createdAt: '2026-01-01T00:00:00.000Z',
      },
    ]);
  });

  it("answers 404 for another client's order exactly as for a missing one", async () => {
    dynamo.on(GetCommand, { Key: { id: 'bobs' } }).resolves({ Item: record('bobs', 'client-bob') });
    dynamo.on(GetCommand, { Key: { id: 'none' } }).resolves({});
    const ask = (orderId: string) =>
      callHttp(apiOrder, getEvent(`/api/orders/${orderId}`, { authorizer: ann, pathParameters: { orderId } }));

    const [others, missing] = [await ask('bobs'), await ask('none')];

    expect([others.statusCode, parseBody(others)]).toEqual([404, { error: 'Order not found' }]);
    expect([missing.statusCode, parseBody(missing)]).toEqual([others.statusCode, parseBody(others)]);
  });

  it('answers 401 without a caller, before looking at the order id', async () => {
    const result = await callHttp(apiOrder, getEvent('/api/orders/%2F', { pathParameters: { orderId: '/' } }));

    expect(result.statusCode).toBe(401);
    expect(dynamo).not.toHaveReceivedAnyCommand();
  });
});
