import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { handler as approve } from '../../../functions/client/approve';
import { handler as reject } from '../../../functions/client/reject';
import { callDirect, callHttp, httpEvent, parseBody } from '../support/events';

process.env['CLIENTS_TABLE'] = 'clients';
const dynamo = mockClient(DynamoDBDocumentClient);
const failedCheck = (item?: Record<string, unknown>) =>
  new ConditionalCheckFailedException({ message: 'failed', $metadata: {}, ...(item ? { Item: item as never } : {}) });

describe('Functions: client/approve and client/reject', () => {
  beforeEach(() => dynamo.reset());

  it('approves a PENDING client with a conditional update', async () => {
    dynamo.on(UpdateCommand).resolves({});

    const result = await callHttp(approve, httpEvent({ body: { clientId: 'c1' } }));

    expect([result.statusCode, parseBody(result)]).toEqual([200, { status: 'OK' }]);
    expect(dynamo).toHaveReceivedCommandWith(UpdateCommand, {
      Key: { id: 'c1' },
      ExpressionAttributeValues: expect.objectContaining({ ':to': 'APPROVED', ':from0': 'PENDING' }),
    });
  });

  it('answers 404 for an unknown client', async () => {
    dynamo.on(UpdateCommand).rejects(failedCheck());

    const result = await callHttp(reject, httpEvent({ body: { clientId: 'missing' } }));

    expect([result.statusCode, parseBody(result)]).toEqual([404, { error: 'Client not found' }]);
  });

  it('answers 409 when rejecting an APPROVED client', async () => {
    dynamo.on(UpdateCommand).rejects(failedCheck({ status: { S: 'APPROVED' } }));

    const result = await callHttp(reject, httpEvent({ body: { clientId: 'c1' } }));

    expect(result.statusCode).toBe(409);
    expect(parseBody(result).error).toBe('Client is APPROVED and cannot become REJECTED');
  });

  it('throws InvalidTransition by name to a direct caller', async () => {
    dynamo.on(UpdateCommand).rejects(failedCheck({ status: { S: 'REJECTED' } }));

    await expect(callDirect(approve, { input: { clientId: 'c1' } })).rejects.toMatchObject({
      name: 'InvalidTransition',
    });
  });
});
