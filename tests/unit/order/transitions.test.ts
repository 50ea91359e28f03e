import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { handler as confirm } from '../../../functions/order/confirm';
import { handler as reject } from '../../../functions/order/reject';
import { callDirect, callHttp, httpEvent, parseBody } from '../support/events';

process.env['ORDERS_TABLE'] = 'orders';
const dynamo = mockClient(DynamoDBDocumentClient);
const failedCheck = (item?: Record<string, unknown>) =>
  new ConditionalCheckFailedException({ message: 'failed', $metadata: {}, ...(item ? { Item: item as never } : {}) });

describe('Functions: order/confirm and order/reject', () => {
  beforeEach(() => dynamo.reset());

  it('confirms a PENDING order with a conditional update', async () => {
    dynamo.on(UpdateCommand).resolves({});

    const result = await callHttp(confirm, httpEvent({ body: { orderId: 'o1' } }));

    expect([result.statusCode, parseBody(result)]).toEqual([200, { status: 'OK' }]);
    expect(dynamo).toHaveReceivedCommandWith(UpdateCommand, {
      TableName: 'orders',
      Key: { id: 'o1' },
      ExpressionAttributeValues: expect.objectContaining({ ':to': 'CONFIRMED', ':from0': 'PENDING' }),
    });
  });

  it('rejects a PENDING order and stores the reason given', async () => {
    dynamo.on(UpdateCommand).resolves({});

    const result = await callHttp(reject, httpEvent({ body: { orderId: 'o1', reason: 'InsufficientFunds' } }));

    expect(parseBody(result)).toEqual({ status: 'OK' });
    expect(dynamo).toHaveReceivedCommandWith(UpdateCommand, {
      Key: { id: 'o1' },
      ExpressionAttributeNames: expect.objectContaining({ '#x0': 'reason' }),
      ExpressionAttributeValues: expect.objectContaining({ ':to': 'REJECTED', ':x0': 'InsufficientFunds' }),
    });
  });

  it('stores a default reason when none is given', async () => {
    dynamo.on(UpdateCommand).resolves({});

    await callDirect(reject, { input: { orderId: 'o1' } });

    expect(dynamo).toHaveReceivedCommandWith(UpdateCommand, {
      ExpressionAttributeValues: expect.objectContaining({ ':x0': 'REJECTED' }),
    });
  });

  it('answers 404 for an unknown order', async () => {
    dynamo.on(UpdateCommand).rejects(failedCheck());

    const result = await callHttp(confirm, httpEvent({ body: { orderId: 'missing' } }));

    expect([result.statusCode, parseBody(result)]).toEqual([404, { error: 'Order not found' }]);
  });

  it('answers 409 when confirming a REJECTED order', async () => {
    dynamo.on(UpdateCommand).rejects(failedCheck({ status: { S: 'REJECTED' } }));

    const result = await callHttp(confirm, httpEvent({ body: { orderId: 'o1' } }));

    expect([result.statusCode, parseBody(result)]).toEqual([
      409,
      { error: 'Order is REJECTED and cannot become CONFIRMED' },
    ]);
  });

  it('throws InvalidTransition by name to a direct caller rejecting a CONFIRMED order', async () => {
    dynamo.on(UpdateCommand).rejects(failedCheck({ status: { S: 'CONFIRMED' } }));

    await expect(callDirect(reject, { input: { orderId: 'o1', reason: 'InsufficientFunds' } })).rejects.toMatchObject({
      name: 'InvalidTransition',
    });
  });

  it.each([
    ['a missing orderId', confirm, {}, 'orderId: is required'],
    ['an empty orderId', confirm, { orderId: '' }, 'orderId: must not be empty'],
    ['an orderId of the wrong type', reject, { orderId: 12 }, 'orderId: must be a string'],
    ['an orderId with odd characters', confirm, { orderId: 'a/b' }, 'orderId: must contain only'],
    ['an empty reason', reject, { orderId: 'o1', reason: ' ' }, 'reason: must not be empty'],
    ['a reason of the wrong type', reject, { orderId: 'o1', reason: 1 }, 'reason: must be a string'],
    ['an overlong reason', reject, { orderId: 'o1', reason: 'x'.repeat(101) }, 'reason: must be at most 100'],
    ['an unknown field', confirm, { orderId: 'o1', status: 'CONFIRMED' }, 'unknown field(s): status'],
  ])('refuses %s with a 400 and writes nothing', async (_case, handler, body, message) => {
    const result = await callHttp(handler, httpEvent({ body }));

    expect(result.statusCode).toBe(400);
    expect(parseBody(result).error).toContain(message);
    expect(dynamo).not.toHaveReceivedAnyCommand();
  });
});
