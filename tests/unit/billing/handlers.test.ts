import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { handler as apiDeposit } from '../../../functions/billing/apiDeposit';
import { handler as createAccount } from '../../../functions/billing/createAccount';
import { handler as deposit } from '../../../functions/billing/deposit';
import { handler as get } from '../../../functions/billing/get';
import { handler as transactions } from '../../../functions/billing/transactions';
import { handler as withdraw } from '../../../functions/billing/withdraw';
import { callDirect, callHttp, httpEvent, parseBody } from '../support/events';

process.env['BILLING_TABLE'] = 'billing';
const dynamo = mockClient(DynamoDBDocumentClient);
const account = (clientId: string, balanceMinor: number, version = 0) => ({
  pk: `ACCOUNT#${clientId}`,
  sk: 'ACCOUNT',
  clientId,
  balanceMinor,
  version,
});
const existsWith = (item: Record<string, unknown>) =>
  new ConditionalCheckFailedException({ message: 'exists', $metadata: {}, Item: item as never });
const markerOf = (call: number) =>
  dynamo.commandCalls(TransactWriteCommand)[call]?.args[0].input.TransactItems?.[2]?.Put?.Item;

beforeEach(() => dynamo.reset());

describe('Function: billing/createAccount', () => {
  it('opens an account with a zero balance, remembering the creating request', async () => {
    dynamo.on(PutCommand).resolves({});

    const result = await callHttp(
      createAccount,
      httpEvent({ body: { clientId: 'c1' }, headers: { 'X-Request-Id': 'r1' } }),
    );

    expect([result.statusCode, parseBody(result)]).toEqual([200, { clientId: 'c1', balance: 0 }]);
    expect(dynamo).toHaveReceivedCommandWith(PutCommand, {
      TableName: 'billing',
      ConditionExpression: 'attribute_not_exists(pk)',
      Item: expect.objectContaining({ ...account('c1', 0), createdByRequestId: 'r1' }),
    });
  });

  it('answers the repeat of the creating request as the first call did', async () => {
    dynamo.on(PutCommand).rejects(existsWith({ createdByRequestId: { S: 'r1' }, balanceMinor: { N: '900' } }));

    const result = await callHttp(
      createAccount,
      httpEvent({ body: { clientId: 'c1' }, headers: { 'x-request-id': 'r1' } }),
    );

    expect([result.statusCode, parseBody(result)]).toEqual([200, { clientId: 'c1', balance: 0 }]);
  });

  it.each([
    ['another request id', { 'X-Request-Id': 'r2' }],
    ['no request id', undefined],
  ])('refuses a second account with %s as 409 AlreadyExists', async (_case, headers) => {
    dynamo.on(PutCommand).rejects(existsWith({ createdByRequestId: { S: 'r1' } }));

    const result = await callHttp(
      createAccount,
      httpEvent({ body: { clientId: 'c1' }, ...(headers ? { headers } : {}) }),
    );

    expect([result.statusCode, parseBody(result)]).toEqual([409, { error: 'Client c1 already has an account' }]);
  });

  it('throws AlreadyExists by name to a direct caller', async () => {
    dynamo.on(PutCommand).rejects(existsWith({}));

    await expect(callDirect(createAccount, { requestId: 'task-1', input: { clientId: 'c1' } })).rejects.toMatchObject({
      name: 'AlreadyExists',
    });
  });
});

describe('Functions: billing/deposit and billing/withdraw', () => {
  it('converts the sum to minor units and answers the balance in major units', async () => {
    dynamo.on(GetCommand).resolves({ Item: account('c1', 1) });
    dynamo.on(TransactWriteCommand).resolves({});

    const result = await callHttp(deposit, httpEvent({ body: { clientId: 'c1', sum: 19.99 } }));

    expect([result.statusCode, parseBody(result)]).toEqual([200, { clientId: 'c1', balance: 20 }]);
    expect(markerOf(0)).toMatchObject({ type: 'DEPOSIT', sumMinor: 1999, balanceAfterMinor: 2000 });
  });

  it('uses the Idempotency-Key as the request id', async () => {
    dynamo.on(GetCommand).resolves({ Item: account('c1', 5000) });
    dynamo.on(TransactWriteCommand).resolves({});

    await callHttp(withdraw, httpEvent({ body: { clientId: 'c1', sum: 10 }, headers: { 'Idempotency-Key': 'k-1' } }));

    expect(markerOf(0)).toMatchObject({ pk: 'REQUEST#k-1', type: 'WITHDRAWAL', sumMinor: 1000 });
  });

  it('answers a direct invocation with the plain balance', async () => {
    dynamo.on(GetCommand).resolves({ Item: account('c1', 5000) });
    dynamo.on(TransactWriteCommand).resolves({});

    const answer = await callDirect(withdraw, { requestId: 'saga-1:withdraw', input: { clientId: 'c1', sum: 50 } });

    expect(answer).toEqual({ clientId: 'c1', balance: 0 });
    expect(markerOf(0)).toMatchObject({ pk: 'REQUEST#saga-1:withdraw' });
  });

  it('hides an unexpected failure behind a generic 500', async () => {
    dynamo.on(GetCommand).rejects(new Error('connect ECONNREFUSED 10.0.0.1:443'));

    const result = await callHttp(deposit, httpEvent({ body: { clientId: 'c1', sum: 1 } }));

    expect([result.statusCode, parseBody(result)]).toEqual([500, { error: 'Internal error' }]);
  });

  const valid = { clientId: 'c1', sum: 10 };
  it.each([
    ['a missing clientId', { sum: 10 }, 'clientId: is required'],
    ['a missing sum', { clientId: 'c1' }, 'sum: is required'],
    ['a clientId of the wrong type', { ...valid, clientId: 7 }, 'clientId: must be a string'],
    ['an empty clientId', { ...valid, clientId: '' }, 'clientId: must not be empty'],
    ['an unknown field', { ...valid, balance: 1 }, 'unknown field(s): balance'],
    ['a zero sum', { ...valid, sum: 0 }, 'sum: must be greater than 0'],
    ['a negative sum', { ...valid, sum: -1 }, 'sum: must be greater than 0'],
    ['a sum given as a string', { ...valid, sum: '10' }, 'sum: must be a number'],
    ['a sum with 3 decimals', { ...valid, sum: 0.001 }, 'sum: must be a whole number of cents, at least 0.01'],
    ['an absurdly large sum', { ...valid, sum: 1e15 }, 'sum: must be at most 1000000000'],
    ['an array body', [valid], 'Request body must be a JSON object'],
  ])('refuses %s with a 400 and touches nothing', async (_case, body, message) => {
    for (const handler of [deposit, withdraw]) {
      const result = await callHttp(handler, httpEvent({ body }));

      expect(result.statusCode).toBe(400);
      expect(parseBody(result).error).toContain(message);
    }
    expect(dynamo).not.toHaveReceivedAnyCommand();
  });

  it('refuses malformed JSON, an oversized body and an oversized request id', async () => {
    const malformed = await callHttp(deposit, httpEvent({ rawBody: '{"clientId":' }));
    const oversized = await callHttp(
      withdraw,
      httpEvent({ rawBody: JSON.stringify({ ...valid, pad: 'x'.repeat(70_000) }) }),
    );
    const longId = await callHttp(deposit, httpEvent({ body: valid, headers: { 'X-Request-Id': 'r'.repeat(300) } }));

    expect([malformed.statusCode, parseBody(malformed).error]).toEqual([400, 'Request body is not valid JSON']);
    expect(oversized.statusCode).toBe(413);
    expect([longId.statusCode, parseBody(longId).error]).toEqual([
      400,
      'X-Request-Id must be 1 to 256 visible ASCII characters, without a comma',
    ]);
    expect(dynamo).not.toHaveReceivedAnyCommand();
  });
});

describe('Function: billing/get', () => {
  it('answers the balance in major units', async () => {
    dynamo.on(GetCommand).resolves({ Item: account('c1', 12_345) });

    const result = await callHttp(get, httpEvent({ method: 'GET', pathParameters: { clientId: 'c1' } }));

    expect([result.statusCode, parseBody(result)]).toEqual([200, { clientId: 'c1', balance: 123.45 }]);
  });

  it('answers 404 for an unknown account', async () => {
    dynamo.on(GetCommand).resolves({});

    const result = await callHttp(get, httpEvent({ method: 'GET', pathParameters: { clientId: 'nobody' } }));

    expect([result.statusCode, parseBody(result)]).toEqual([404, { error: 'Account not found' }]);
  });
});

describe('Function: billing/transactions', () => {
  const entry = (sequence: number, type: string, sumMinor: number, balanceAfterMinor: number) => ({
    pk: 'ACCOUNT#c1',
    sk: `TX#${String(sequence).padStart(12, '0')}`,
    id: `e${sequence}`,
    type,
    sumMinor,
    balanceAfterMinor,
    createdAt: `t${sequence}`,
    requestId: `r${sequence}`,
  });

  it('lists the ledger oldest first across pages, in major units', async () => {
    const lastKey = { pk: 'ACCOUNT#c1', sk: 'TX#000000000001' };
    dynamo
      .on(QueryCommand)
      .resolvesOnce({ Items: [account('c1', 700, 2), entry(1, 'DEPOSIT', 1000, 1000)], LastEvaluatedKey: lastKey })
      .resolves({ Items: [entry(2, 'WITHDRAWAL', 300, 700)] });

    const result = await callHttp(transactions, httpEvent({ method: 'GET', pathParameters: { clientId: 'c1' } }));

    expect(parseBody(result)).toEqual({
      clientId: 'c1',
      transactions: [
        { id: 'e1', type: 'DEPOSIT', sum: 10, balanceAfter: 10, createdAt: 't1' },
        { id: 'e2', type: 'WITHDRAWAL', sum: 3, balanceAfter: 7, createdAt: 't2' },
      ],
    });
    expect(dynamo).toHaveReceivedNthCommandWith(2, QueryCommand, { ExclusiveStartKey: lastKey });
  });

  it('answers 404 when the partition has no account', async () => {
    dynamo.on(QueryCommand).resolves({ Items: [] });

    const result = await callHttp(transactions, httpEvent({ method: 'GET', pathParameters: { clientId: 'nobody' } }));

    expect([result.statusCode, parseBody(result)]).toEqual([404, { error: 'Account not found' }]);
  });

  it('refuses a clientId that is not an id', async () => {
    const result = await callHttp(transactions, httpEvent({ method: 'GET', pathParameters: { clientId: 'a#b' } }));

    expect(result.statusCode).toBe(400);
    expect(dynamo).not.toHaveReceivedAnyCommand();
  });
});

describe('Function: apiDeposit', () => {
  const signedIn = { userId: 'u1', clientId: 'c1' };

  it("deposits on the caller's own account", async () => {
    dynamo.on(GetCommand).resolves({ Item: account('c1', 0) });
    dynamo.on(TransactWriteCommand).resolves({});

    const result = await callHttp(apiDeposit, httpEvent({ body: { sum: 15 }, authorizer: signedIn }));

    expect([result.statusCode, parseBody(result)]).toEqual([200, { clientId: 'c1', balance: 15 }]);
    expect(dynamo).toHaveReceivedCommandWith(GetCommand, { Key: { pk: 'ACCOUNT#c1', sk: 'ACCOUNT' } });
  });

  it("scopes the caller's Idempotency-Key to the caller", async () => {
    dynamo.on(GetCommand).resolves({ Item: account('c1', 0) });
    dynamo.on(TransactWriteCommand).resolves({});

    await callHttp(
      apiDeposit,
      httpEvent({ body: { sum: 1 }, authorizer: signedIn, headers: { 'Idempotency-Key': 'k' } }),
    );

    expect(markerOf(0)).toMatchObject({ pk: 'REQUEST#api:c1:k', clientId: 'c1' });
  });

  it('refuses a body naming an account with 400', async () => {
    const result = await callHttp(apiDeposit, httpEvent({ body: { clientId: 'c2', sum: 15 }, authorizer: signedIn }));

    expect([result.statusCode, parseBody(result).error]).toEqual([400, 'Invalid request: unknown field(s): clientId']);
    expect(dynamo).not.toHaveReceivedAnyCommand();
  });

  it.each([
    ['a valid body', { sum: 15 }],
    ['an invalid body', { clientId: 'c2', sum: -1 }],
  ])('refuses an anonymous caller with %s as 401', async (_case, body) => {
    const result = await callHttp(apiDeposit, httpEvent({ body }));

    expect([result.statusCode, parseBody(result)]).toEqual([401, { error: 'Authentication required' }]);
    expect(dynamo).not.toHaveReceivedAnyCommand();
  });
});
