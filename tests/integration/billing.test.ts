import { expectRefusedWritingNothing } from './support/refusals';
import { resourceName } from './support/stack';
import { invokeService } from '../../lib/common/invoke';
import { get, post, uniqueSuffix } from '../support/api';
import { countItems, getItem } from './support/dynamo';

const BILLING = '/dev/billingService/billing';
const newClientId = () => `client-${uniqueSuffix()}`;

async function openAccount(balance = 0): Promise<string> {
  const clientId = newClientId();
  expect((await post(`${BILLING}/createAccount`, { clientId })).status).toBe(200);
  if (balance > 0) expect((await post(`${BILLING}/deposit`, { clientId, sum: balance })).status).toBe(200);
  return clientId;
}

const balanceOf = async (clientId: string) => (await get(`${BILLING}/${clientId}`)).body.balance;
const ledgerOf = async (clientId: string) => (await get(`${BILLING}/${clientId}/transactions`)).body.transactions;

describe('Billing service over the dev API', () => {
  it('opens an account with a zero balance and an empty ledger', async () => {
    const clientId = newClientId();

    const created = await post(`${BILLING}/createAccount`, { clientId });
    const read = await get(`${BILLING}/${clientId}`);
    const ledger = await get(`${BILLING}/${clientId}/transactions`);

    expect([created.status, created.body]).toEqual([200, { clientId, balance: 0 }]);
    expect([read.status, read.body]).toEqual([200, { clientId, balance: 0 }]);
    expect([ledger.status, ledger.body]).toEqual([200, { clientId, transactions: [] }]);
  });

  it('refuses a second account for a client with 409, but answers a repeat of the creating request', async () => {
    const clientId = newClientId();
    const headers = { 'X-Request-Id': `open-${uniqueSuffix()}` };
    await post(`${BILLING}/createAccount`, { clientId }, headers);
    await post(`${BILLING}/deposit`, { clientId, sum: 5 });

    const repeat = await post(`${BILLING}/createAccount`, { clientId }, headers);
    const second = await post(`${BILLING}/createAccount`, { clientId });

    expect([repeat.status, repeat.body]).toEqual([200, { clientId, balance: 0 }]);
    expect([second.status, second.body]).toEqual([409, { error: `Client ${clientId} already has an account` }]);
    expect(await balanceOf(clientId)).toBe(5);
  });

  it('deposits and withdraws, keeping a ledger that reads top to bottom', async () => {
    const clientId = await openAccount();

    const deposited = await post(`${BILLING}/deposit`, { clientId, sum: 100.25 });
    const withdrawn = await post(`${BILLING}/withdraw`, { clientId, sum: 40.1 });
    const ledger = await get(`${BILLING}/${clientId}/transactions`);

    expect([deposited.status, deposited.body]).toEqual([200, { clientId, balance: 100.25 }]);
    expect([withdrawn.status, withdrawn.body]).toEqual([200, { clientId, balance: 60.15 }]);
    expect(ledger.body).toEqual({
      clientId,
      transactions: [
        { id: expect.any(String), type: 'DEPOSIT', sum: 100.25, balanceAfter: 100.25, createdAt: expect.any(String) },
        { id: expect.any(String), type: 'WITHDRAWAL', sum: 40.1, balanceAfter: 60.15, createdAt: expect.any(String) },
      ],
    });
    expect(await balanceOf(clientId)).toBe(60.15);
  });

  it('refuses a withdrawal beyond the balance with 402 and writes nothing', async () => {
    const clientId = await openAccount(30);
    const before = await countItems('billing');

    const refused = await post(`${BILLING}/withdraw`, { clientId, sum: 30.01 });

    expect(refused.status).toBe(402);
    expect(refused.body).toEqual({ error: 'Insufficient funds: the balance is 30, the withdrawal 30.01' });
    expect(await countItems('billing')).toBe(before);
    expect(await balanceOf(clientId)).toBe(30);
  });

  it('answers 404 for every operation on an unknown account', async () => {
    const clientId = newClientId();
    const before = await countItems('billing');

    const answers = await Promise.all([
      get(`${BILLING}/${clientId}`),
      get(`${BILLING}/${clientId}/transactions`),
      post(`${BILLING}/deposit`, { clientId, sum: 1 }),
      post(`${BILLING}/withdraw`, { clientId, sum: 1 }),
    ]);

    expect(answers.map(({ status, body }) => [status, body])).toEqual(
      Array(4).fill([404, { error: 'Account not found' }]),
    );
    expect(await countItems('billing')).toBe(before);
  });

  it('lets exactly 10 of 20 concurrent withdrawals of 10 through a balance of 100', async () => {
    const clientId = await openAccount(100);

    const answers = await Promise.all(
      Array.from({ length: 20 }, () => post(`${BILLING}/withdraw`, { clientId, sum: 10 })),
    );

    const statuses = answers.map((answer) => answer.status).sort();
    expect(statuses).toEqual([...Array(10).fill(200), ...Array(10).fill(402)]);
    const balancesAnswered = answers.filter((a) => a.status === 200).map((a) => a.body.balance);
    expect(balancesAnswered.sort((a, b) => a - b)).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
    expect(await balanceOf(clientId)).toBe(0);
    const ledger = await ledgerOf(clientId);
    expect(ledger.map((entry: { type: string }) => entry.type)).toEqual(['DEPOSIT', ...Array(10).fill('WITHDRAWAL')]);
    expect(ledger.map((entry: { balanceAfter: number }) => entry.balanceAfter)).toEqual([
      100, 90, 80, 70, 60, 50, 40, 30, 20, 10, 0,
    ]);
  });

  it('moves money once for a deposit sent twice with the same X-Request-Id', async () => {
    const clientId = await openAccount(1);
    const headers = { 'X-Request-Id': `dep-${uniqueSuffix()}` };

    const first = await post(`${BILLING}/deposit`, { clientId, sum: 25 }, headers);
    await post(`${BILLING}/deposit`, { clientId, sum: 2 }); // another payment in between
    const second = await post(`${BILLING}/deposit`, { clientId, sum: 25 }, headers);

    expect([first.status, first.body]).toEqual([200, { clientId, balance: 26 }]);
    expect([second.status, second.body]).toEqual([200, first.body]);
    expect(await balanceOf(clientId)).toBe(28);
    expect((await ledgerOf(clientId)).length).toBe(3);
  });

  it('moves money once for the same deposit sent 10 times at once', async () => {
    const clientId = await openAccount(5);
    const headers = { 'Idempotency-Key': `dep-${uniqueSuffix()}` };

    const answers = await Promise.all(
      Array.from({ length: 10 }, () => post(`${BILLING}/deposit`, { clientId, sum: 7.5 }, headers)),
    );

    // A repeat that arrives while the first call still runs is told to come back (409, RequestInProgress).
    const first = [200, { clientId, balance: 12.5 }];
    const inProgress = [409, { error: expect.stringContaining('still in progress') }];
    expect(answers.map(({ status, body }) => (status === 409 ? inProgress : [status, body]))).toEqual(
      answers.map(({ status }) => (status === 409 ? inProgress : first)),
    );
    expect(answers.some(({ status }) => status === 200)).toBe(true);
    expect(await balanceOf(clientId)).toBe(12.5);
    expect((await ledgerOf(clientId)).length).toBe(2);
  });

  it('refuses a request id reused for a different move (422 on the same endpoint, 409 on another), writing nothing', async () => {
    const clientId = await openAccount(50);
    const headers = { 'X-Request-Id': `reuse-${uniqueSuffix()}` };
    await post(`${BILLING}/withdraw`, { clientId, sum: 10 }, headers);
    const before = await countItems('billing');

    const otherSum = await post(`${BILLING}/withdraw`, { clientId, sum: 11 }, headers);
    const otherType = await post(`${BILLING}/deposit`, { clientId, sum: 10 }, headers);

    // The idempotency layer refuses the same key with another body; across functions, the money move's marker does.
    expect([otherSum.status, otherSum.body]).toEqual([
      422,
      { error: 'This Idempotency-Key was already used for a different request' },
    ]);
    expect(otherType.status).toBe(409);
    expect(otherType.body.error).toMatch(/already used for a withdrawal of 10/);
    expect(await countItems('billing')).toBe(before);
    expect(await balanceOf(clientId)).toBe(40);
  });

  it('stores the creating request, the ledger entry and the marker with minor units', async () => {
    const clientId = newClientId();
    const requestId = `trace-${uniqueSuffix()}`;
    await post(`${BILLING}/createAccount`, { clientId }, { 'X-Request-Id': `open-${requestId}` });

    await post(`${BILLING}/deposit`, { clientId, sum: 0.1 }, { 'X-Request-Id': requestId });

    expect(await getItem('billing', { pk: `ACCOUNT#${clientId}`, sk: 'ACCOUNT' })).toMatchObject({
      balanceMinor: 10,
      version: 1,
      createdByRequestId: `open-${requestId}`,
    });
    expect(await getItem('billing', { pk: `REQUEST#${requestId}`, sk: 'REQUEST' })).toMatchObject({
      clientId,
      type: 'DEPOSIT',
      sumMinor: 10,
      balanceAfterMinor: 10,
    });
  });

  it('throws typed errors by name to a direct invocation', async () => {
    const clientId = await openAccount(3);

    const paid = await invokeService(
      resourceName('billingWithdraw'),
      { clientId, sum: 2 },
      { requestId: uniqueSuffix() },
    );
    const refused = invokeService(resourceName('billingWithdraw'), { clientId, sum: 2 }, { requestId: uniqueSuffix() });

    expect(paid).toEqual({ clientId, balance: 1 });
    await expect(refused).rejects.toMatchObject({ name: 'InsufficientFunds' });
  });

  const moves = ['createAccount', 'deposit', 'withdraw'] as const;
  const badBodies: [string, string, (typeof moves)[number][]][] = [
    ['malformed JSON', '{"clientId": "a",', [...moves]],
    ['an empty body', '', [...moves]],
    ['an array body', '[]', [...moves]],
    ['a missing clientId', JSON.stringify({ sum: 1 }), ['deposit', 'withdraw']],
    ['a missing sum', JSON.stringify({ clientId: 'someone' }), ['deposit', 'withdraw']],
    ['a clientId of the wrong type', JSON.stringify({ clientId: 42, sum: 1 }), ['deposit', 'withdraw']],
    ['an empty clientId', JSON.stringify({ clientId: '', sum: 1 }), ['deposit', 'withdraw']],
    ['a clientId with a key separator', JSON.stringify({ clientId: 'a#b', sum: 1 }), ['deposit', 'withdraw']],
    ['an unknown field', JSON.stringify({ clientId: 'someone', sum: 1, balance: 9 }), ['deposit', 'withdraw']],
    ['a zero sum', JSON.stringify({ clientId: 'someone', sum: 0 }), ['deposit', 'withdraw']],
    ['a negative sum', JSON.stringify({ clientId: 'someone', sum: -5 }), ['deposit', 'withdraw']],
    ['a sum given as a string', JSON.stringify({ clientId: 'someone', sum: '10' }), ['deposit', 'withdraw']],
    ['a sum with 3 decimals', JSON.stringify({ clientId: 'someone', sum: 1.005 }), ['deposit', 'withdraw']],
    ['a sum below a cent', JSON.stringify({ clientId: 'someone', sum: 1e-9 }), ['deposit', 'withdraw']],
    ['a cent and a hair', JSON.stringify({ clientId: 'someone', sum: 0.0100000001 }), ['deposit', 'withdraw']],
    ['an absurdly large sum', JSON.stringify({ clientId: 'someone', sum: 1e300 }), ['deposit', 'withdraw']],
    ['an empty clientId', JSON.stringify({ clientId: '' }), ['createAccount']],
    ['an unknown field', JSON.stringify({ clientId: 'someone', balance: 100 }), ['createAccount']],
    ['a body over 64 KiB', JSON.stringify({ clientId: 'someone', sum: 1, pad: 'x'.repeat(70_000) }), [...moves]],
  ];
  it.each(badBodies.flatMap(([name, body, targets]) => targets.map((target) => [target, name, body] as const)))(
    'refuses a %s with %s: a 4xx with an error, writing nothing',
    async (target, _name, rawBody) => {
      const clientId = target === 'createAccount' ? newClientId() : await openAccount(10);
      await expectRefusedWritingNothing(`${BILLING}/${target}`, rawBody.replace('someone', clientId), 'billing');
    },
  );

  it('refuses a clientId that is not a valid id on the read routes', async () => {
    const tooLong = await get(`${BILLING}/${'x'.repeat(65)}`);
    const badChars = await get(`${BILLING}/a%23b/transactions`);

    expect([tooLong.status, tooLong.body.error]).toEqual([
      400,
      'Invalid request: clientId: must be at most 64 characters',
    ]);
    expect(badChars.status).toBe(400);
  });
});

describe('Billing service over the public API', () => {
  it('refuses a top-up without a signed-in caller with 401, writing nothing', async () => {
    const before = await countItems('billing');

    const anonymous = await post('/api/billing/deposit', { sum: 10 });
    const naming = await post('/api/billing/deposit', { clientId: 'someone-else', sum: 10 });

    // The gateway's authorizer refuses it before the function runs.
    expect([anonymous.status, anonymous.body.error]).toEqual([401, 'Unauthorized']);
    expect(naming.status).toBe(401);
    expect(await countItems('billing')).toBe(before);
  });
});
