import { expectRefusedWritingNothing } from './support/refusals';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { get, post, uniqueSuffix } from '../support/api';
import { countItems, db, tableName } from './support/dynamo';

const newClientId = () => `client-${uniqueSuffix()}`;
const welcomeFor = (clientId: string) => ({
  clientId,
  firstName: 'Ann',
  lastName: 'Lee',
  email: `ann.${uniqueSuffix()}@example.com`,
  login: `ann-${uniqueSuffix()}`,
});
const storedFor = async (clientId: string) => {
  const { Items } = await db().send(
    new QueryCommand({
      TableName: tableName('notifications'),
      IndexName: 'byClient',
      KeyConditionExpression: 'clientId = :c',
      ExpressionAttributeValues: { ':c': clientId },
    }),
  );
  return Items ?? [];
};

describe('Notification service over the dev API', () => {
  it('stores a newClientCreated notification and answers it', async () => {
    const input = welcomeFor(newClientId());

    const response = await post('/dev/notificationService/notify/newClientCreated', input);

    expect([response.status, response.body]).toEqual([
      200,
      {
        id: expect.any(String),
        type: 'newClientCreated',
        clientId: input.clientId,
        data: input,
        createdAt: expect.any(String),
      },
    ]);
    expect(await storedFor(input.clientId)).toEqual([{ ...response.body, feed: 'ALL' }]);
  });

  it('addresses a newOrderCreated notification with the client the Client service knows', async () => {
    const person = { firstName: 'Bo', lastName: 'Ng', email: `bo.${uniqueSuffix()}@example.com` };
    const { body: client } = await post('/dev/clientService/client/add', person);

    const response = await post('/dev/notificationService/notify/newOrderCreated', {
      clientId: client.id,
      orderId: `order-${uniqueSuffix()}`,
      sum: 42.1,
    });

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      type: 'newOrderCreated',
      clientId: client.id,
      data: { orderId: expect.any(String), sum: 42.1, client: person },
    });
  });

  it('answers 404 for an unknown client and stores nothing', async () => {
    const clientId = newClientId();
    const before = await countItems('notifications');

    const response = await post('/dev/notificationService/notify/newOrderCreated', { clientId, orderId: 'o1', sum: 5 });

    expect([response.status, response.body]).toEqual([404, { error: 'Client not found' }]);
    expect(await countItems('notifications')).toBe(before);
  });

  it('answers the newest notification as the last one', async () => {
    await post('/dev/notificationService/notify/newClientCreated', welcomeFor(newClientId()));
    const { body: newest } = await post('/dev/notificationService/notify/newClientCreated', welcomeFor(newClientId()));

    const last = await get('/dev/notificationService/notification/last');

    expect([last.status, last.body]).toEqual([200, newest]);
  });

  it("lists a client's notifications newest first", async () => {
    const { body: client } = await post('/dev/clientService/client/add', {
      firstName: 'Cy',
      lastName: 'Ott',
      email: `cy.${uniqueSuffix()}@example.com`,
    });
    const { body: welcome } = await post('/dev/notificationService/notify/newClientCreated', welcomeFor(client.id));
    const { body: order } = await post('/dev/notificationService/notify/newOrderCreated', {
      clientId: client.id,
      orderId: 'o1',
      sum: 9.99,
    });

    const listed = await get(`/dev/notificationService/notification/client/${client.id}`);

    expect([listed.status, listed.body]).toEqual([200, { clientId: client.id, notifications: [order, welcome] }]);
  });

  it('answers an empty list for a client without notifications', async () => {
    const clientId = newClientId();

    const listed = await get(`/dev/notificationService/notification/client/${clientId}`);

    expect([listed.status, listed.body]).toEqual([200, { clientId, notifications: [] }]);
  });

  it('stores one notification for a repeated X-Request-Id', async () => {
    const input = welcomeFor(newClientId());
    const headers = { 'X-Request-Id': `notify-${uniqueSuffix()}` };

    const first = await post('/dev/notificationService/notify/newClientCreated', input, headers);
    const second = await post('/dev/notificationService/notify/newClientCreated', input, headers);

    expect(second.body).toEqual(first.body);
    expect(await storedFor(input.clientId)).toHaveLength(1);
  });

  it('stores one newOrderCreated notification for a repeated X-Request-Id', async () => {
    const { body: client } = await post('/dev/clientService/client/add', {
      firstName: 'Di',
      lastName: 'Fox',
      email: `di.${uniqueSuffix()}@example.com`,
    });
    const input = { clientId: client.id, orderId: 'o1', sum: 1 };
    const headers = { 'X-Request-Id': `notify-${uniqueSuffix()}` };

    const first = await post('/dev/notificationService/notify/newOrderCreated', input, headers);
    const second = await post('/dev/notificationService/notify/newOrderCreated', input, headers);

    expect(first.status).toBe(200);
    expect(second.body).toEqual(first.body);
    expect(await storedFor(client.id)).toHaveLength(1);
  });

  it('refuses an invalid client id in the path with a 400', async () => {
    const response = await get(`/dev/notificationService/notification/client/${'x'.repeat(65)}`);

    expect([response.status, response.body]).toEqual([400, { error: expect.stringContaining('clientId') }]);
  });

  const valid: Record<string, Record<string, unknown>> = {
    newClientCreated: welcomeFor('client-x'),
    newOrderCreated: { clientId: 'client-x', orderId: 'order-x', sum: 10 },
  };
  const badBodies = (endpoint: string): Array<[string, string]> => {
    const body = valid[endpoint]!;
    const cases: Array<[string, string]> = [
      ['malformed JSON', '{"clientId": "x",'],
      ['an empty body', ''],
      ['a JSON array', JSON.stringify([body])],
      ['a missing field', JSON.stringify({ ...body, clientId: undefined })],
      ['a wrong type', JSON.stringify({ ...body, clientId: 42 })],
      ['an empty string', JSON.stringify({ ...body, clientId: '' })],
      ['an unknown field', JSON.stringify({ ...body, extra: true })],
      ['a body over 64 KiB', JSON.stringify({ ...body, clientId: 'x'.repeat(70_000) })],
    ];
    if (endpoint === 'newOrderCreated') {
      cases.push(
        ['a sum of zero', JSON.stringify({ ...body, sum: 0 })],
        ['a negative sum', JSON.stringify({ ...body, sum: -0.01 })],
        ['a sum given as a string', JSON.stringify({ ...body, sum: '10.00' })],
        ['a sum with 3 decimals', JSON.stringify({ ...body, sum: 0.001 })],
        ['a sum below a cent', JSON.stringify({ ...body, sum: 1e-9 })],
        ['an absurdly large sum', JSON.stringify({ ...body, sum: 1e21 })],
      );
    } else {
      cases.push(['an invalid email', JSON.stringify({ ...body, email: 'ann@' })]);
    }
    return cases;
  };

  it.each(
    ['newClientCreated', 'newOrderCreated'].flatMap((endpoint) => badBodies(endpoint).map((c) => [endpoint, ...c])),
  )('notify/%s refuses %s with a 4xx and an error, storing nothing', async (endpoint, _case, rawBody) => {
    await expectRefusedWritingNothing(`/dev/notificationService/notify/${endpoint}`, rawBody, 'notifications');
  });
});

describe("The client's own notification API without a session", () => {
  it('answers 401 on GET /api/notifications', async () => {
    const response = await get('/api/notifications');

    // The gateway's authorizer refuses it before the function runs.
    expect([response.status, response.body.error]).toEqual([401, 'Unauthorized']);
  });
});
