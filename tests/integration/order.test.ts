import { expectRefusedWritingNothing } from './support/refusals';
import { get, post, uniqueSuffix } from '../support/api';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { db, getItem, tableName } from './support/dynamo';

const newClientId = () => `client-${uniqueSuffix()}`;
const createOrder = (sum = 25.5, headers?: Record<string, string>) =>
  post('/dev/orderService/order/create', { clientId: newClientId(), sum }, headers);
const ordersOf = async (clientId: string) => {
  const { Items } = await db().send(
    new QueryCommand({
      TableName: tableName('orders'),
      IndexName: 'byClient',
      KeyConditionExpression: 'clientId = :c',
      ExpressionAttributeValues: { ':c': clientId },
    }),
  );
  return Items ?? [];
};

describe('Order service over the dev API', () => {
  it('creates a PENDING order, confirms it, and then refuses to reject it', async () => {
    const created = await createOrder(25.5);
    const orderId = created.body.id;

    const pending = await get(`/dev/orderService/order/${orderId}`);
    const confirmed = await post('/dev/orderService/order/confirm', { orderId });
    const confirmedAgain = await post('/dev/orderService/order/confirm', { orderId });
    const rejected = await post('/dev/orderService/order/reject', { orderId, reason: 'InsufficientFunds' });
    const final = await get(`/dev/orderService/order/${orderId}`);

    expect([created.status, created.body]).toEqual([
      200,
      { id: expect.any(String), clientId: expect.any(String), sum: 25.5, status: 'PENDING' },
    ]);
    expect(pending.body).toEqual({ ...created.body, createdAt: expect.any(String) });
    expect([confirmed.status, confirmed.body]).toEqual([200, { status: 'OK' }]);
    expect([confirmedAgain.status, confirmedAgain.body]).toEqual([200, { status: 'OK' }]);
    expect([rejected.status, rejected.body]).toEqual([409, { error: 'Order is CONFIRMED and cannot become REJECTED' }]);
    expect(final.body).toEqual({ ...pending.body, status: 'CONFIRMED' });
  });

  it('rejects a PENDING order with its reason, and then refuses to confirm it', async () => {
    const { body: order } = await createOrder(3.99);

    const rejected = await post('/dev/orderService/order/reject', { orderId: order.id, reason: 'InsufficientFunds' });
    const rejectedAgain = await post('/dev/orderService/order/reject', {
      orderId: order.id,
      reason: 'InsufficientFunds',
    });
    const confirmed = await post('/dev/orderService/order/confirm', { orderId: order.id });
    const final = await get(`/dev/orderService/order/${order.id}`);

    expect([rejected.status, rejectedAgain.status]).toEqual([200, 200]);
    expect([confirmed.status, confirmed.body]).toEqual([
      409,
      { error: 'Order is REJECTED and cannot become CONFIRMED' },
    ]);
    expect(final.body).toMatchObject({ status: 'REJECTED', reason: 'InsufficientFunds', sum: 3.99 });
  });

  it('stores a default reason when a rejection gives none', async () => {
    const { body: order } = await createOrder();

    await post('/dev/orderService/order/reject', { orderId: order.id });

    expect((await get(`/dev/orderService/order/${order.id}`)).body).toMatchObject({
      status: 'REJECTED',
      reason: 'REJECTED',
    });
  });

  it('keeps the sum in minor units at rest', async () => {
    const { body: order } = await createOrder(1234.56);

    expect(await getItem('orders', { id: order.id })).toMatchObject({ sumMinor: 123456, status: 'PENDING' });
  });

  it('answers 404 with an error for an unknown order', async () => {
    const read = await get('/dev/orderService/order/does-not-exist');
    const confirm = await post('/dev/orderService/order/confirm', { orderId: 'does-not-exist' });
    const reject = await post('/dev/orderService/order/reject', { orderId: 'does-not-exist' });

    expect([read.status, read.body]).toEqual([404, { error: 'Order not found' }]);
    expect([confirm.status, confirm.body]).toEqual([404, { error: 'Order not found' }]);
    expect([reject.status, reject.body]).toEqual([404, { error: 'Order not found' }]);
    expect(await getItem('orders', { id: 'does-not-exist' })).toBeUndefined();
  });

  it('creates one order for a repeated X-Request-Id', async () => {
    const clientId = newClientId();
    const headers = { 'X-Request-Id': `order-${uniqueSuffix()}` };

    const first = await post('/dev/orderService/order/create', { clientId, sum: 10 }, headers);
    const second = await post('/dev/orderService/order/create', { clientId, sum: 10 }, headers);

    expect(second.body).toEqual(first.body);
    expect(await ordersOf(clientId)).toHaveLength(1);
  });

  it('refuses an invalid order id in the path with a 400', async () => {
    const response = await get(`/dev/orderService/order/${'x'.repeat(65)}`);

    expect([response.status, response.body]).toEqual([400, { error: expect.stringContaining('orderId') }]);
  });

  const valid: Record<string, Record<string, unknown>> = {
    create: { clientId: 'client-x', sum: 10 },
    confirm: { orderId: 'order-x' },
    reject: { orderId: 'order-x', reason: 'InsufficientFunds' },
  };
  const badBodies = (endpoint: string): Array<[string, string]> => {
    const body = valid[endpoint]!;
    const [firstField] = Object.keys(body);
    const cases: Array<[string, string]> = [
      ['malformed JSON', '{"orderId": "x",'],
      ['an empty body', ''],
      ['a JSON array', JSON.stringify([body])],
      ['a missing field', JSON.stringify({ ...body, [firstField!]: undefined })],
      ['a wrong type', JSON.stringify({ ...body, [firstField!]: 42 })],
      ['an empty string', JSON.stringify({ ...body, [firstField!]: '' })],
      ['an unknown field', JSON.stringify({ ...body, status: 'CONFIRMED' })],
      ['a body over 64 KiB', JSON.stringify({ ...body, [firstField!]: 'x'.repeat(70_000) })],
    ];
    if (endpoint === 'create') {
      cases.push(
        ['a sum of zero', JSON.stringify({ ...body, sum: 0 })],
        ['a negative sum', JSON.stringify({ ...body, sum: -10 })],
        ['a sum given as a string', JSON.stringify({ ...body, sum: '10' })],
        ['a sum with 3 decimals', JSON.stringify({ ...body, sum: 10.001 })],
        ['a sum below a cent', JSON.stringify({ ...body, sum: 1e-9 })],
        ['an absurdly large sum', JSON.stringify({ ...body, sum: 1e21 })],
      );
    }
    if (endpoint === 'reject') cases.push(['an empty reason', JSON.stringify({ ...body, reason: '' })]);
    return cases;
  };

  it.each(['create', 'confirm', 'reject'].flatMap((endpoint) => badBodies(endpoint).map((c) => [endpoint, ...c])))(
    'order/%s refuses %s with a 4xx and an error, writing nothing',
    async (endpoint, _case, rawBody) => {
      await expectRefusedWritingNothing(`/dev/orderService/order/${endpoint}`, rawBody, 'orders');
    },
  );
});

describe("The client's own order API without a session", () => {
  it.each(['/api/orders', '/api/orders/some-order'])('answers 401 on GET %s', async (path) => {
    const response = await get(path);

    // The gateway's authorizer refuses it before the function runs.
    expect([response.status, response.body.error]).toEqual([401, 'Unauthorized']);
  });
});
