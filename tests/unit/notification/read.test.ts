import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { handler as apiNotifications } from '../../../functions/notification/apiNotifications';
import { handler as last } from '../../../functions/notification/last';
import { handler as ofClient } from '../../../functions/notification/ofClient';
import { callDirect, callHttp, httpEvent, parseBody } from '../support/events';

process.env['NOTIFICATIONS_TABLE'] = 'notifications';
const dynamo = mockClient(DynamoDBDocumentClient);
const ann = { userId: 'user-ann', clientId: 'client-ann' };
const client = { firstName: 'Ann', lastName: 'Lee', email: 'ann@example.com' };
const orderNotice = {
  id: 'n2',
  type: 'newOrderCreated',
  clientId: 'client-ann',
  data: { orderId: 'o1', sumMinor: 1005, client },
  createdAt: '2026-02-01T00:00:00.000Z',
  feed: 'ALL',
};
const welcome = {
  id: 'n1',
  type: 'newClientCreated',
  clientId: 'client-ann',
  data: { clientId: 'client-ann', ...client, login: 'ann' },
  createdAt: '2026-01-01T00:00:00.000Z',
  feed: 'ALL',
};
const getEvent = (options: Parameters<typeof httpEvent>[0] = {}) => httpEvent({ method: 'GET', ...options });

describe('Function: notification/last', () => {
  beforeEach(() => dynamo.reset());

  it('answers the newest notification of the byTime feed, sum in major units', async () => {
    dynamo.on(QueryCommand).resolves({ Items: [orderNotice] });

    const result = await callHttp(last, getEvent());

    expect(parseBody(result)).toEqual({
      id: 'n2',
      type: 'newOrderCreated',
      clientId: 'client-ann',
      data: { orderId: 'o1', sum: 10.05, client },
      createdAt: '2026-02-01T00:00:00.000Z',
    });
    expect(dynamo).toHaveReceivedCommandWith(QueryCommand, {
      IndexName: 'byTime',
      ExpressionAttributeValues: { ':feed': 'ALL' },
      ScanIndexForward: false,
      Limit: 1,
    });
  });

  it('answers 404 with an error when there is no notification', async () => {
    dynamo.on(QueryCommand).resolves({ Items: [] });

    const result = await callHttp(last, getEvent());

    expect([result.statusCode, parseBody(result)]).toEqual([404, { error: 'No notification yet' }]);
  });
});

describe('Function: notification/client/{clientId}', () => {
  beforeEach(() => dynamo.reset());

  it("lists a client's notifications newest first", async () => {
    dynamo.on(QueryCommand).resolves({ Items: [orderNotice, welcome] });

    const result = await callHttp(ofClient, getEvent({ pathParameters: { clientId: 'client-ann' } }));

    const body = parseBody(result);
    expect(body.clientId).toBe('client-ann');
    expect(body.notifications.map((n: { id: string }) => n.id)).toEqual(['n2', 'n1']);
    expect(body.notifications[1]).not.toHaveProperty('feed');
    expect(dynamo).toHaveReceivedCommandWith(QueryCommand, {
      IndexName: 'byClient',
      ExpressionAttributeValues: { ':clientId': 'client-ann' },
      ScanIndexForward: false,
    });
  });

  it('refuses an invalid client id with a 400 without reading', async () => {
    const result = await callHttp(ofClient, getEvent({ pathParameters: { clientId: 'a b' } }));

    expect(result.statusCode).toBe(400);
    expect(dynamo).not.toHaveReceivedAnyCommand();
  });
});

describe('Function: GET /api/notifications', () => {
  beforeEach(() => dynamo.reset());

  it("lists the caller's notifications, the client taken from the authorizer only", async () => {
    dynamo.on(QueryCommand).resolves({ Items: [welcome] });

    const result = await callHttp(apiNotifications, getEvent({ authorizer: ann }));

    expect(parseBody(result).notifications).toHaveLength(1);
    expect(dynamo).toHaveReceivedCommandWith(QueryCommand, {
      IndexName: 'byClient',
      ExpressionAttributeValues: { ':clientId': 'client-ann' },
    });
  });

  it('answers 401 without a caller and reads nothing', async () => {
    const http = await callHttp(apiNotifications, getEvent());
    const direct = callDirect(apiNotifications, { input: {} });

    expect([http.statusCode, parseBody(http)]).toEqual([401, { error: 'Authentication required' }]);
    await expect(direct).rejects.toMatchObject({ name: 'Unauthorized' });
    expect(dynamo).not.toHaveReceivedAnyCommand();
  });
});
