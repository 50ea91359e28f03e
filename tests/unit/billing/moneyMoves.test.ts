import { TransactionCanceledException, type CancellationReason } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { deposit, withdraw } from '../../../lib/billing/billingService';
import {
  buildMoveTransaction,
  CONTENTION_RETRY,
  MAX_BALANCE_MINOR,
  readCancellation,
  type MoneyMove,
} from '../../../lib/billing/moneyMoves';

process.env['BILLING_TABLE'] = 'billing';
const dynamo = mockClient(DynamoDBDocumentClient);

const ACCOUNT_KEY = { pk: 'ACCOUNT#c1', sk: 'ACCOUNT' };
const account = (balanceMinor: number, version: number) => ({ ...ACCOUNT_KEY, clientId: 'c1', balanceMinor, version });
const rawAccount = (balanceMinor: number, version: number) => ({
  balanceMinor: { N: String(balanceMinor) },
  version: { N: String(version) },
});
const rawMarker = (overrides: Record<string, string> = {}) => {
  const fields: Record<string, string> = {
    pk: 'REQUEST#r1',
    sk: 'REQUEST',
    requestId: 'r1',
    clientId: 'c1',
    type: 'DEPOSIT',
    entryId: 'e1',
    createdAt: '2026-01-01T00:00:00.000Z',
    ...overrides,
  };
  return {
    ...Object.fromEntries(Object.entries(fields).map(([name, value]) => [name, { S: value }])),
    sumMinor: { N: overrides['sumMinor'] ?? '2500' },
    balanceAfterMinor: { N: '12500' },
  };
};
const cancelled = (...reasons: CancellationReason[]) =>
  new TransactionCanceledException({ message: 'Transaction cancelled', $metadata: {}, CancellationReasons: reasons });
const NONE: CancellationReason = { Code: 'None' };
const failed = (Item?: Record<string, unknown>): CancellationReason => ({
  Code: 'ConditionalCheckFailed',
  ...(Item === undefined ? {} : { Item: Item as CancellationReason['Item'] }),
});

describe('Function: buildMoveTransaction', () => {
  const withdrawal: MoneyMove = { clientId: 'c1', type: 'WITHDRAWAL', sumMinor: 1000, requestId: 'r1' };

  it('builds the account update, the ledger entry and the request marker as one transaction', () => {
    const transaction = buildMoveTransaction(withdrawal, { balanceMinor: 2500, version: 4 }, 'now');

    const [update, entry, marker] = transaction.TransactItems ?? [];
    expect(update?.Update).toMatchObject({
      TableName: 'billing',
      Key: ACCOUNT_KEY,
      UpdateExpression: 'SET balanceMinor = balanceMinor + :delta, #version = :next, updatedAt = :now',
      ConditionExpression: '#version = :version AND balanceMinor >= :sum',
      ExpressionAttributeValues: { ':delta': -1000, ':version': 4, ':next': 5, ':now': 'now', ':sum': 1000 },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
    expect(entry?.Put).toMatchObject({
      ConditionExpression: 'attribute_not_exists(pk)',
      Item: {
        pk: 'ACCOUNT#c1',
        sk: 'TX#000000000005',
        type: 'WITHDRAWAL',
        sumMinor: 1000,
        balanceAfterMinor: 1500,
        requestId: 'r1',
      },
    });
    expect(marker?.Put).toMatchObject({
      ConditionExpression: 'attribute_not_exists(pk)',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      Item: {
        pk: 'REQUEST#r1',
        sk: 'REQUEST',
        clientId: 'c1',
        type: 'WITHDRAWAL',
        sumMinor: 1000,
        balanceAfterMinor: 1500,
      },
    });
    expect(marker?.Put?.Item?.['entryId']).toBe(entry?.Put?.Item?.['id']);
  });

  it('guards a deposit against a balance above the maximum instead of below zero', () => {
    const transaction = buildMoveTransaction(
      { ...withdrawal, type: 'DEPOSIT' },
      { balanceMinor: 0, version: 0 },
      'now',
    );

    expect(transaction.TransactItems?.[0]?.Update).toMatchObject({
      ConditionExpression: '#version = :version AND balanceMinor <= :ceiling',
      ExpressionAttributeValues: { ':delta': 1000, ':ceiling': MAX_BALANCE_MINOR - 1000 },
    });
  });

  it('derives the same ledger entry id from the same request id', () => {
    const first = buildMoveTransaction(withdrawal, { balanceMinor: 2500, version: 4 }, 'now');
    const retried = buildMoveTransaction(withdrawal, { balanceMinor: 9000, version: 7 }, 'later');

    expect(first.TransactItems?.[1]?.Put?.Item?.['id']).toBe(retried.TransactItems?.[1]?.Put?.Item?.['id']);
  });
});

describe('Function: readCancellation', () => {
  it('reads a failed marker as a repeat, with the stored answer', () => {
    expect(readCancellation([NONE, NONE, failed(rawMarker())])).toEqual({
      kind: 'repeat',
      marker: expect.objectContaining({ clientId: 'c1', type: 'DEPOSIT', sumMinor: 2500, balanceAfterMinor: 12500 }),
    });
  });

  it('prefers the repeat when the account condition failed too', () => {
    expect(readCancellation([failed(rawAccount(0, 9)), NONE, failed(rawMarker())]).kind).toBe('repeat');
  });

  it('reads a failed marker without an item as a repeat to be looked up', () => {
    expect(readCancellation([NONE, NONE, failed()])).toEqual({ kind: 'repeat' });
  });

  it('reads a failed account condition with its current state', () => {
    expect(readCancellation([failed(rawAccount(700, 3)), NONE, NONE])).toEqual({
      kind: 'account',
      account: { balanceMinor: 700, version: 3 },
      missing: false,
    });
  });

  it('reads a failed account condition without an item as a missing account', () => {
    expect(readCancellation([failed(), NONE, NONE])).toEqual({ kind: 'account', missing: true });
  });

  it('reads a taken ledger sequence as an account that moved on', () => {
    expect(readCancellation([NONE, failed(), NONE])).toEqual({ kind: 'account', missing: false });
  });

  it.each([['TransactionConflict'], ['ThrottlingError'], ['ProvisionedThroughputExceeded']])(
    'reads %s as contention',
    (code) => {
      expect(readCancellation([{ Code: code }, NONE, NONE])).toEqual({ kind: 'contention' });
    },
  );
});

describe('Functions: deposit and withdraw', () => {
  beforeEach(() => {
    dynamo.reset();
    // No waiting between attempts: the retry pauses are jittered by Math.random.
    jest.spyOn(Math, 'random').mockReturnValue(0);
  });
  afterEach(() => jest.restoreAllMocks());

  it('moves the money in one transaction and answers with the new balance', async () => {
    dynamo.on(GetCommand).resolves({ Item: account(10_000, 0) });
    dynamo.on(TransactWriteCommand).resolves({});

    const answer = await deposit('c1', 2500, 'r1');

    expect(answer).toEqual({ clientId: 'c1', balance: 125 });
    expect(dynamo).toHaveReceivedCommandTimes(TransactWriteCommand, 1);
    expect(dynamo).toHaveReceivedCommandWith(GetCommand, { Key: ACCOUNT_KEY, ConsistentRead: true });
  });

  it('answers from the marker when a function died after its write and the request is repeated', async () => {
    dynamo.on(GetCommand).resolves({ Item: account(12_500, 1) });
    dynamo.on(TransactWriteCommand).rejects(cancelled(NONE, NONE, failed(rawMarker())));

    const answer = await deposit('c1', 2500, 'r1');

    expect(answer).toEqual({ clientId: 'c1', balance: 125 });
    expect(dynamo).toHaveReceivedCommandTimes(TransactWriteCommand, 1);
  });

  it('reads the marker when the cancellation reason carries no item', async () => {
    dynamo.on(GetCommand, { Key: ACCOUNT_KEY }).resolves({ Item: account(12_500, 1) });
    dynamo.on(GetCommand, { Key: { pk: 'REQUEST#r1', sk: 'REQUEST' } }).resolves({
      Item: {
        pk: 'REQUEST#r1',
        sk: 'REQUEST',
        requestId: 'r1',
        clientId: 'c1',
        type: 'DEPOSIT',
        sumMinor: 2500,
        balanceAfterMinor: 12_500,
      },
    });
    dynamo.on(TransactWriteCommand).rejects(cancelled(NONE, NONE, failed()));

    const answer = await deposit('c1', 2500, 'r1');

    expect(answer).toEqual({ clientId: 'c1', balance: 125 });
  });

  it.each([
    ['another sum', () => deposit('c1', 2600, 'r1')],
    ['another client', () => deposit('c2', 2500, 'r1')],
    ['another direction', () => withdraw('c1', 2500, 'r1')],
  ])('refuses a request id reused for %s with Conflict', async (_case, move) => {
    dynamo.on(GetCommand).resolves({ Item: account(50_000, 3) });
    dynamo.on(TransactWriteCommand).rejects(cancelled(NONE, NONE, failed(rawMarker())));

    await expect(move()).rejects.toMatchObject({
      name: 'Conflict',
      message: expect.stringContaining('Request id r1 was already used for a deposit of 25 on c1'),
    });
  });

  it('refuses a withdrawal beyond the balance with InsufficientFunds and no second try', async () => {
    dynamo.on(GetCommand).resolves({ Item: account(500, 2) });
    dynamo.on(TransactWriteCommand).rejects(cancelled(failed(rawAccount(500, 2)), NONE, NONE));

    await expect(withdraw('c1', 1000, 'r2')).rejects.toMatchObject({
      name: 'InsufficientFunds',
      message: 'Insufficient funds: the balance is 5, the withdrawal 10',
    });
    expect(dynamo).toHaveReceivedCommandTimes(TransactWriteCommand, 1);
  });

  it('retries on the version another move left, and answers from it', async () => {
    dynamo.on(GetCommand).resolves({ Item: account(5000, 2) });
    dynamo
      .on(TransactWriteCommand)
      .rejectsOnce(cancelled(failed(rawAccount(4000, 3)), NONE, NONE))
      .resolves({});

    const answer = await withdraw('c1', 1000, 'r3');

    expect(answer).toEqual({ clientId: 'c1', balance: 30 });
    const attempts = dynamo.commandCalls(TransactWriteCommand);
    expect(attempts.map((call) => call.args[0].input.TransactItems?.[0]?.Update?.ExpressionAttributeValues)).toEqual([
      expect.objectContaining({ ':version': 2 }),
      expect.objectContaining({ ':version': 3 }),
    ]);
  });

  it('refuses after a retry when the other move left too little', async () => {
    dynamo.on(GetCommand).resolves({ Item: account(1000, 2) });
    dynamo
      .on(TransactWriteCommand)
      .rejectsOnce(cancelled(failed(rawAccount(0, 3)), NONE, NONE))
      .rejects(cancelled(failed(rawAccount(0, 3)), NONE, NONE));

    await expect(withdraw('c1', 1000, 'r4')).rejects.toMatchObject({ name: 'InsufficientFunds' });
    expect(dynamo).toHaveReceivedCommandTimes(TransactWriteCommand, 2);
  });

  it('retries after a transaction conflict', async () => {
    dynamo.on(GetCommand).resolves({ Item: account(1000, 2) });
    dynamo
      .on(TransactWriteCommand)
      .rejectsOnce(cancelled({ Code: 'TransactionConflict' }, NONE, NONE))
      .resolves({});

    await expect(deposit('c1', 1, 'r5')).resolves.toEqual({ clientId: 'c1', balance: 10.01 });
    expect(dynamo).toHaveReceivedCommandTimes(TransactWriteCommand, 2);
  });

  it('gives up with TooManyRequests when the account stays contended', async () => {
    dynamo.on(GetCommand).resolves({ Item: account(1000, 2) });
    dynamo.on(TransactWriteCommand).rejects(cancelled({ Code: 'TransactionConflict' }, NONE, NONE));

    await expect(deposit('c1', 1, 'r6')).rejects.toMatchObject({ name: 'TooManyRequests' });
    expect(dynamo).toHaveReceivedCommandTimes(TransactWriteCommand, CONTENTION_RETRY.attempts);
  });

  it('answers NotFound for an unknown account without writing', async () => {
    dynamo.on(GetCommand).resolves({});

    await expect(withdraw('nobody', 100, 'r7')).rejects.toMatchObject({
      name: 'NotFound',
      message: 'Account not found',
    });
    expect(dynamo).not.toHaveReceivedCommand(TransactWriteCommand);
  });

  it('answers NotFound when the account condition fails on a missing account', async () => {
    dynamo
      .on(GetCommand)
      .resolvesOnce({ Item: account(1000, 2) })
      .resolves({});
    dynamo.on(TransactWriteCommand).rejects(cancelled(failed(), NONE, NONE));

    await expect(deposit('c1', 100, 'r8')).rejects.toMatchObject({ name: 'NotFound' });
  });

  it('passes an unexpected failure on unchanged', async () => {
    dynamo.on(GetCommand).resolves({ Item: account(1000, 2) });
    dynamo.on(TransactWriteCommand).rejects(new Error('socket hang up'));

    await expect(deposit('c1', 100, 'r9')).rejects.toThrow('socket hang up');
  });

  it('makes up a request id for a call that brought none', async () => {
    dynamo.on(GetCommand).resolves({ Item: account(0, 0) });
    dynamo.on(TransactWriteCommand).resolves({});

    await deposit('c1', 100);
    await deposit('c1', 100);

    const markers = dynamo
      .commandCalls(TransactWriteCommand)
      .map((call) => call.args[0].input.TransactItems?.[2]?.Put?.Item?.['pk']);
    expect(markers).toEqual([expect.stringMatching(/^REQUEST#[0-9a-f-]{36}$/), expect.stringMatching(/^REQUEST#/)]);
    expect(markers[0]).not.toBe(markers[1]);
  });

  // The caller's key is limited to 256 at the HTTP edge (serviceEvent); this internal bound leaves room for a scope.
  it('refuses a request id longer than 512 characters before touching the table', async () => {
    await expect(deposit('c1', 100, 'x'.repeat(513))).rejects.toMatchObject({ name: 'ValidationError' });
    expect(dynamo).not.toHaveReceivedAnyCommand();
  });
});
