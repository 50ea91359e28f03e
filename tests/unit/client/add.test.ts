import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { handler } from '../../../functions/client/add';
import { callDirect, callHttp, httpEvent, parseBody } from '../support/events';

process.env['CLIENTS_TABLE'] = 'clients';
const dynamo = mockClient(DynamoDBDocumentClient);
const ann = { firstName: 'Ann', lastName: 'Lee', email: 'ann@example.com' };

describe('Function: client/add', () => {
  beforeEach(() => dynamo.reset());

  it('creates a PENDING client and answers with it', async () => {
    dynamo.on(PutCommand).resolves({});

    const result = await callHttp(handler, httpEvent({ body: ann }));

    expect(result.statusCode).toBe(200);
    expect(parseBody(result)).toEqual({ id: expect.any(String), ...ann, status: 'PENDING' });
    expect(dynamo).toHaveReceivedCommandWith(PutCommand, {
      TableName: 'clients',
      ConditionExpression: 'attribute_not_exists(id)',
      Item: expect.objectContaining({ ...ann, status: 'PENDING' }),
    });
  });

  it('answers a repeated request id with the client the first request created', async () => {
    const existing = { id: 'x', ...ann, status: 'APPROVED', createdAt: 't', updatedAt: 't' };
    dynamo.on(PutCommand).rejects(new ConditionalCheckFailedException({ message: 'exists', $metadata: {} }));
    dynamo.on(GetCommand).resolves({ Item: existing });

    const result = await callHttp(handler, httpEvent({ body: ann, headers: { 'X-Request-Id': 'req-1' } }));

    expect(parseBody(result)).toEqual({ id: 'x', ...ann, status: 'APPROVED' });
  });

  it('refuses an id already used for another client with a 409', async () => {
    const other = { id: 'c1', firstName: 'Bob', lastName: 'Lee', email: 'bob@example.com', status: 'PENDING' };
    dynamo.on(PutCommand).rejects(new ConditionalCheckFailedException({ message: 'exists', $metadata: {} }));
    dynamo.on(GetCommand).resolves({ Item: other });

    const result = await callHttp(handler, httpEvent({ body: { ...ann, clientId: 'c1' } }));

    expect([result.statusCode, parseBody(result).error]).toEqual([409, 'Client c1 already exists with other details']);
  });

  it('uses the id the saga assigns', async () => {
    dynamo.on(PutCommand).resolves({});

    const result = await callHttp(handler, httpEvent({ body: { ...ann, clientId: 'assigned-1' } }));

    expect(parseBody(result)).toEqual({ id: 'assigned-1', ...ann, status: 'PENDING' });
  });

  it('derives the same id from the same request id', async () => {
    dynamo.on(PutCommand).resolves({});
    const first = parseBody(await callHttp(handler, httpEvent({ body: ann, headers: { 'x-request-id': 'r' } })));
    const second = parseBody(await callHttp(handler, httpEvent({ body: ann, headers: { 'x-request-id': 'r' } })));
    const other = parseBody(await callHttp(handler, httpEvent({ body: ann, headers: { 'x-request-id': 's' } })));

    expect(first.id).toBe(second.id);
    expect(other.id).not.toBe(first.id);
  });

  it.each([
    ['a missing field', { firstName: 'Ann', lastName: 'Lee' }, 'email: is required'],
    ['an empty string', { ...ann, firstName: '  ' }, 'firstName: must not be empty'],
    ['a wrong type', { ...ann, lastName: 42 }, 'lastName: must be a string'],
    ['an invalid email', { ...ann, email: 'not-an-email' }, 'email: must be a valid email address'],
    ['an unknown field', { ...ann, status: 'APPROVED' }, 'unknown field(s): status'],
    ['an array body', [ann], 'Request body must be a JSON object'],
  ])('refuses %s with a 400 and writes nothing', async (_case, body, message) => {
    const result = await callHttp(handler, httpEvent({ body }));

    expect(result.statusCode).toBe(400);
    expect(parseBody(result).error).toContain(message);
    expect(dynamo).not.toHaveReceivedAnyCommand();
  });

  it('refuses malformed JSON and an oversized body', async () => {
    const malformed = await callHttp(handler, httpEvent({ rawBody: '{"firstName":' }));
    const tooBig = JSON.stringify({ ...ann, lastName: 'x'.repeat(70_000) });
    const oversized = await callHttp(handler, httpEvent({ rawBody: tooBig }));

    expect([malformed.statusCode, parseBody(malformed).error]).toEqual([400, 'Request body is not valid JSON']);
    expect(oversized.statusCode).toBe(413);
    expect(dynamo).not.toHaveReceivedAnyCommand();
  });

  it('answers a direct invocation with the plain client and throws typed errors', async () => {
    dynamo.on(PutCommand).resolves({});

    const client = await callDirect(handler, { requestId: 'task-1', input: ann });
    await expect(callDirect(handler, { requestId: 'task-2', input: { firstName: 'x' } })).rejects.toMatchObject({
      name: 'ValidationError',
    });

    expect(client).toEqual({ id: expect.any(String), ...ann, status: 'PENDING' });
  });

  it('hides an unexpected failure behind a generic 500', async () => {
    dynamo.on(PutCommand).rejects(new Error('socket hang up at 10.0.0.1'));

    const result = await callHttp(handler, httpEvent({ body: ann }));

    expect(result.statusCode).toBe(500);
    expect(parseBody(result)).toEqual({ error: 'Internal error' });
  });
});
