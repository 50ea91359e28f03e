import { createHash } from 'node:crypto';
import { GetCommand, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { ownDepositRequestId } from '../../lib/billing/billing';
import { deposit as depositDirectly } from '../../lib/billing/billingService';
import { toMinorUnits } from '../../lib/common/money';
import { get, post, uniqueSuffix, type ApiResponse } from '../support/api';
import { db, tableName } from './support/dynamo';
import {
  asClient,
  clearFaults,
  createOrder,
  deposit,
  executionArn,
  getAsClient,
  historyOf,
  injectFault,
  newRegistration,
  registerAndSignIn,
  type SignedInClient,
} from './support/journey';
import { resourceName } from './support/stack';

// The "killed after its write" tests write through the Billing service's own code, as the function would.
process.env['BILLING_TABLE'] = tableName('billing');

const newPerson = () => ({ firstName: 'Ann', lastName: 'Lee', email: `ann.${uniqueSuffix()}@example.com` });
const key = () => ({ 'X-Request-Id': `idem-${uniqueSuffix()}` });
const answer = (response: ApiResponse) => [response.status, response.body];
const ledgerOf = async (clientId: string) =>
  (await get(`/dev/billingService/billing/${clientId}/transactions`)).body.transactions as { type: string }[];
const balanceOf = async (clientId: string) => (await get(`/dev/billingService/billing/${clientId}`)).body.balance;
const notificationsOf = async (clientId: string) =>
  (await get(`/dev/notificationService/notification/client/${clientId}`)).body.notifications as { type: string }[];
const clientStatus = async (clientId: string) => (await get(`/dev/clientService/client/${clientId}`)).body.status;

/** The completed idempotency records a function holds, by the key prefix Powertools gives them. */
async function completedRecordsOf(fn: string): Promise<number> {
  const { Items } = await db().send(
    new ScanCommand({
      TableName: tableName('idempotency'),
      FilterExpression: 'begins_with(id, :prefix) AND #status = :completed',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':prefix': `${resourceName(fn)}#`, ':completed': 'COMPLETED' },
    }),
  );
  return Items?.length ?? 0;
}

async function newClient(): Promise<string> {
  const { body } = await post('/dev/clientService/client/add', newPerson());
  return body.id as string;
}

async function newAccount(balance = 0): Promise<string> {
  const clientId = await newClient();
  await post('/dev/billingService/billing/createAccount', { clientId });
  if (balance > 0) await post('/dev/billingService/billing/deposit', { clientId, sum: balance });
  return clientId;
}

async function newOrder(): Promise<string> {
  const { body } = await post('/dev/orderService/order/create', { clientId: await newClient(), sum: 5 });
  return body.id as string;
}

/** Sends the same call twice, one after the other, with one request id. */
async function sentTwice(path: string, body: unknown, headers: Record<string, string> = key()) {
  const first = await post(path, body, headers);
  const second = await post(path, body, headers);
  return { first, second };
}

describe('Idempotency: a repeated call answers the first answer and changes state once', () => {
  it('adds one client', async () => {
    const person = newPerson();
    const { first, second } = await sentTwice('/dev/clientService/client/add', person);

    expect(first.status).toBe(200);
    expect(answer(second)).toEqual(answer(first));
    expect(await completedRecordsOf('clientAdd')).toBeGreaterThan(0);
  });

  it('approves a client once: a repeat after a later change still answers the first answer', async () => {
    const clientId = await newClient();
    const headers = key();
    const first = await post('/dev/clientService/client/approve', { clientId }, headers);
    // Without the stored answer, approving a client that is no longer PENDING would be refused.
    await db().send(
      new PutCommand({
        TableName: tableName('clients'),
        Item: { ...(await get(`/dev/clientService/client/${clientId}`)).body, status: 'REJECTED' },
      }),
    );

    const second = await post('/dev/clientService/client/approve', { clientId }, headers);

    expect(answer(first)).toEqual([200, { status: 'OK' }]);
    expect(answer(second)).toEqual(answer(first));
    expect(await clientStatus(clientId)).toBe('REJECTED');
  });

  it('rejects a client once', async () => {
    const clientId = await newClient();
    const { first, second } = await sentTwice('/dev/clientService/client/reject', { clientId });

    expect(answer(first)).toEqual([200, { status: 'OK' }]);
    expect(answer(second)).toEqual(answer(first));
    expect(await clientStatus(clientId)).toBe('REJECTED');
  });

  it('registers one user', async () => {
    const clientId = await newClient();
    const { login, password } = newRegistration();
    const { first, second } = await sentTwice('/dev/authService/user/register', { login, password, clientId });

    expect(first.status).toBe(200);
    expect(answer(second)).toEqual(answer(first));
    expect(await completedRecordsOf('authRegister')).toBeGreaterThan(0);
  });

  it('creates one account', async () => {
    const clientId = await newClient();
    const { first, second } = await sentTwice('/dev/billingService/billing/createAccount', { clientId });

    expect(answer(first)).toEqual([200, { clientId, balance: 0 }]);
    expect(answer(second)).toEqual(answer(first));
  });

  it.each(['deposit', 'withdraw'])('moves money once on %s', async (move) => {
    const clientId = await newAccount(10);
    const { first, second } = await sentTwice(`/dev/billingService/billing/${move}`, { clientId, sum: 4 });

    expect(answer(first)).toEqual([200, { clientId, balance: move === 'deposit' ? 14 : 6 }]);
    expect(answer(second)).toEqual(answer(first));
    expect(await ledgerOf(clientId)).toHaveLength(2);
  });

  it('creates one order', async () => {
    const clientId = await newClient();
    const { first, second } = await sentTwice('/dev/orderService/order/create', { clientId, sum: 5 });

    expect(first.status).toBe(200);
    expect(answer(second)).toEqual(answer(first));
    expect(await completedRecordsOf('orderCreate')).toBeGreaterThan(0);
  });

  it.each(['confirm', 'reject'])('%ss an order once', async (action) => {
    const orderId = await newOrder();
    const { first, second } = await sentTwice(`/dev/orderService/order/${action}`, { orderId });

    expect(answer(first)).toEqual([200, { status: 'OK' }]);
    expect(answer(second)).toEqual(answer(first));
    expect((await get(`/dev/orderService/order/${orderId}`)).body.status).toBe(
      action === 'confirm' ? 'CONFIRMED' : 'REJECTED',
    );
  });

  it('stores one newClientCreated notification', async () => {
    const clientId = `client-${uniqueSuffix()}`;
    const welcome = { clientId, ...newPerson(), login: `ann-${uniqueSuffix()}` };
    const { first, second } = await sentTwice('/dev/notificationService/notify/newClientCreated', welcome);

    expect(first.status).toBe(200);
    expect(answer(second)).toEqual(answer(first));
    expect(await notificationsOf(clientId)).toHaveLength(1);
  });

  it('stores one newOrderCreated notification', async () => {
    const clientId = await newClient();
    const notice = { clientId, orderId: `order-${uniqueSuffix()}`, sum: 5 };
    const { first, second } = await sentTwice('/dev/notificationService/notify/newOrderCreated', notice);

    expect(first.status).toBe(200);
    expect(answer(second)).toEqual(answer(first));
    expect(await notificationsOf(clientId)).toHaveLength(1);
  });

  it("tops up a signed-in client's account once", async () => {
    const client = await registerAndSignIn();
    const headers = asClient(client, { 'Idempotency-Key': `top-up-${uniqueSuffix()}` });
    const { first, second } = await sentTwice('/api/billing/deposit', { sum: 3 }, headers);

    expect(answer(first)).toEqual([200, { clientId: client.clientId, balance: 3 }]);
    expect(answer(second)).toEqual(answer(first));
    expect(await ledgerOf(client.clientId)).toHaveLength(1);
  });
});

/** Powertools' key for a call: `<function name>#base64(md5(JSON of [clientId, requestId]))`. */
const recordKey = (fn: string, clientId: string | null, requestId: string) =>
  `${resourceName(fn)}#${createHash('md5')
    .update(JSON.stringify([clientId, requestId]))
    .digest('base64')}`;
const payloadHash = (input: unknown) => createHash('md5').update(JSON.stringify(input)).digest('base64');

/** The status of the idempotency record under this key, or undefined when there is none. */
async function recordStatus(id: string) {
  const { Item } = await db().send(new GetCommand({ TableName: tableName('idempotency'), Key: { id } }));
  return Item?.['status'] as string | undefined;
}
/** The Task's request id is `<execution name>/<state name>`, as the ASL builds it. */
const taskRecordStatus = (fn: string, executionName: string, state: string) =>
  recordStatus(recordKey(fn, null, `${executionName}/${state}`));

async function leaveInProgressRecord(id: string, input: unknown, inProgressUntil: number) {
  await db().send(
    new PutCommand({
      TableName: tableName('idempotency'),
      Item: {
        id,
        status: 'INPROGRESS',
        expiration: Math.floor(Date.now() / 1000) + 3600,
        in_progress_expiration: inProgressUntil,
        validation: payloadHash(input),
      },
    }),
  );
}

describe('Idempotency: duplicates that meet', () => {
  let client: SignedInClient;
  beforeAll(async () => {
    client = await registerAndSignIn();
  });

  it('moves money once for 20 concurrent identical deposits with one key; the others get the first answer or 409', async () => {
    // serverless-offline starts a new instance for a call that finds all busy; warm 20 first, so the burst
    // really overlaps instead of waiting for cold starts that end after the first call has finished.
    await Promise.all(Array.from({ length: 20 }, () => post('/api/billing/deposit', { sum: 0.01 }, asClient(client))));
    const before = await balanceOf(client.clientId);
    const entriesBefore = (await ledgerOf(client.clientId)).length;
    const headers = asClient(client, { 'Idempotency-Key': `burst-${uniqueSuffix()}` });

    const answers = await Promise.all(
      Array.from({ length: 20 }, () => post('/api/billing/deposit', { sum: 1.5 }, headers)),
    );

    const after = Math.round((before + 1.5) * 100) / 100;
    const first = [200, { clientId: client.clientId, balance: after }];
    const inProgress = [409, { error: 'A request with this Idempotency-Key is still in progress; retry it later' }];
    for (const response of answers) expect([first, inProgress]).toContainEqual(answer(response));
    expect(answers.some((response) => response.status === 200)).toBe(true);
    expect(await balanceOf(client.clientId)).toBe(after);
    expect(await ledgerOf(client.clientId)).toHaveLength(entriesBefore + 1);
  });

  it('refuses a repeat with a changed body with 422, moving nothing, and keeps the first answer', async () => {
    const idempotencyKey = `changed-${uniqueSuffix()}`;
    const headers = asClient(client, { 'Idempotency-Key': idempotencyKey });
    const first = await post('/api/billing/deposit', { sum: 2 }, headers);
    const balance = await balanceOf(client.clientId);

    const changed = await post('/api/billing/deposit', { sum: 20 }, headers);
    // The refusal left the completed record alone (Powertools' issue #5675 would have deleted it).
    const recordAfterRefusal = await recordStatus(recordKey('apiDeposit', client.clientId, idempotencyKey));
    const repeat = await post('/api/billing/deposit', { sum: 2 }, headers);

    expect(answer(changed)).toEqual([422, { error: 'This Idempotency-Key was already used for a different request' }]);
    expect(recordAfterRefusal).toBe('COMPLETED');
    expect(answer(repeat)).toEqual(answer(first));
    expect(await balanceOf(client.clientId)).toBe(balance);
  });

  it("keeps two clients' identical keys apart", async () => {
    const other = await registerAndSignIn();
    const shared = `shared-${uniqueSuffix()}`;

    const mine = await post('/api/billing/deposit', { sum: 1 }, asClient(client, { 'Idempotency-Key': shared }));
    const theirs = await post('/api/billing/deposit', { sum: 1 }, asClient(other, { 'Idempotency-Key': shared }));

    expect(answer(mine)).toEqual([200, { clientId: client.clientId, balance: expect.any(Number) }]);
    expect(answer(theirs)).toEqual([200, { clientId: other.clientId, balance: 1 }]);
  });
});

describe('Idempotency: a function killed after its write, before its record was saved', () => {
  it('moves no money twice when the dev deposit is repeated', async () => {
    const clientId = await newAccount(10);
    const requestId = `killed-${uniqueSuffix()}`;
    const written = await depositDirectly(clientId, toMinorUnits(4), requestId);

    const repeat = await post(
      '/dev/billingService/billing/deposit',
      { clientId, sum: 4 },
      { 'X-Request-Id': requestId },
    );

    expect(answer(repeat)).toEqual([200, written]);
    expect(await balanceOf(clientId)).toBe(14);
    expect(await ledgerOf(clientId)).toHaveLength(2);
  });

  it('moves no money twice when the killed call left its record in progress and the lock has expired', async () => {
    const client = await registerAndSignIn();
    const key = `killed-${uniqueSuffix()}`;
    // What apiDeposit would have written before it died: the money move (scoped as it scopes it) and the lock.
    const written = await depositDirectly(client.clientId, toMinorUnits(6), ownDepositRequestId(client.clientId, key));
    await leaveInProgressRecord(recordKey('apiDeposit', client.clientId, key), { sum: 6 }, Date.now() - 1_000);

    const repeat = await post('/api/billing/deposit', { sum: 6 }, asClient(client, { 'Idempotency-Key': key }));

    expect(answer(repeat)).toEqual([200, written]);
    expect(await balanceOf(client.clientId)).toBe(6);
    expect(await ledgerOf(client.clientId)).toHaveLength(1);
  });

  it('answers 409 while the lock of a call still running holds, and runs nothing', async () => {
    const clientId = await newAccount(10);
    const requestId = `running-${uniqueSuffix()}`;
    const lock = recordKey('billingDeposit', null, requestId);
    await leaveInProgressRecord(lock, { clientId, sum: 4 }, Date.now() + 60_000);

    const repeat = await post(
      '/dev/billingService/billing/deposit',
      { clientId, sum: 4 },
      { 'X-Request-Id': requestId },
    );

    expect(answer(repeat)).toEqual([
      409,
      { error: 'A request with this Idempotency-Key is still in progress; retry it later' },
    ]);
    expect(await balanceOf(clientId)).toBe(10);
    // The refusal left the running call's lock alone (Powertools' issue #5675 would have deleted it).
    expect(await recordStatus(lock)).toBe('INPROGRESS');
  });
});

/** A Task whose first answer is lost: the function ran, and Step Functions delivers it again. */
const deliveredTwice = (fn: string) =>
  injectFault({ functionName: resourceName(fn), error: 'States.Timeout', times: 1, afterInvoke: true });
const timeoutsIn = async (arn: string) =>
  (await historyOf(arn)).filter((event) => event.lambdaFunctionFailedEventDetails?.error === 'States.Timeout');

describe('Idempotency: saga steps delivered twice', () => {
  afterEach(clearFaults);

  it.each([
    ['clientAdd', 'AddClient'],
    ['authRegister', 'RegisterUser'],
    ['clientApprove', 'ApproveClient'],
    ['billingCreateAccount', 'CreateAccount'],
    ['notifyNewClientCreated', 'NotifyClientCreated'],
  ])('registers once when %s is delivered twice', async (fn, state) => {
    const key = `reg-${uniqueSuffix()}`;
    await deliveredTwice(fn);

    const response = await post('/api/client/register_client', newRegistration(), { 'Idempotency-Key': key });

    expect(response.status).toBe(200);
    const { clientId } = response.body;
    expect(await timeoutsIn(executionArn('registrationSaga', key))).toHaveLength(1);
    expect(await taskRecordStatus(fn, key, state)).toBe('COMPLETED');
    expect(await clientStatus(clientId)).toBe('APPROVED');
    expect(await balanceOf(clientId)).toBe(0);
    expect((await notificationsOf(clientId)).map((n) => n.type)).toEqual(['newClientCreated']);
  });

  it.each([
    ['orderCreate', 'CreateOrder'],
    ['billingWithdraw', 'Withdraw'],
    ['orderConfirm', 'ConfirmOrder'],
    ['notifyNewOrderCreated', 'NotifyOrderCreated'],
  ])('places the order once when %s is delivered twice', async (fn, state) => {
    const client = await registerAndSignIn();
    await deposit(client, 30);
    const key = `order-${uniqueSuffix()}`;
    await deliveredTwice(fn);

    const response = await createOrder(client, 12, key);

    expect(response.body).toMatchObject({ success: 'ok', status: 'CONFIRMED' });
    const executionName = `${client.clientId}_${key}`;
    expect(await timeoutsIn(executionArn('orderSaga', executionName))).toHaveLength(1);
    expect(await taskRecordStatus(fn, executionName, state)).toBe('COMPLETED');
    expect((await getAsClient(client, '/api/orders')).body.orders).toHaveLength(1);
    expect(await balanceOf(client.clientId)).toBe(18);
    expect((await ledgerOf(client.clientId)).map((entry) => entry.type)).toEqual(['DEPOSIT', 'WITHDRAWAL']);
    expect((await notificationsOf(client.clientId)).map((n) => n.type).sort()).toEqual([
      'newClientCreated',
      'newOrderCreated',
    ]);
  });
});
