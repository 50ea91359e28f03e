import { newId } from '../../lib/common/ids';
import { scrape, total } from '../../local/prometheusText';
import { get, post, uniqueSuffix } from '../support/api';
import {
  clearFaults,
  createOrder,
  deposit,
  executionArn,
  getAsClient,
  historyOf,
  injectFault,
  newRegistration,
  registerAndSignIn,
  statesEntered,
  type SignedInClient,
} from './support/journey';
import { resourceName } from './support/stack';

const orderExecution = (client: SignedInClient, key: string) => executionArn('orderSaga', `${client.clientId}_${key}`);
const notificationsOf = async (clientId: string) =>
  (await get(`/dev/notificationService/notification/client/${clientId}`)).body.notifications as any[];
const ledgerOf = async (clientId: string) =>
  (await get(`/dev/billingService/billing/${clientId}/transactions`)).body.transactions as any[];

afterEach(clearFaults);

describe('Saga: client registration', () => {
  it('creates an approved client with a user, an empty account and a notification', async () => {
    const registration = newRegistration();
    const key = `reg-${uniqueSuffix()}`;

    const response = await post('/api/client/register_client', registration, { 'Idempotency-Key': key });

    expect(response.status).toBe(200);
    expect(response.body).toEqual({ clientId: expect.any(String), login: registration.login });
    const { clientId } = response.body;
    expect((await get(`/dev/clientService/client/${clientId}`)).body).toMatchObject({ status: 'APPROVED' });
    expect((await get(`/dev/billingService/billing/${clientId}`)).body).toEqual({ clientId, balance: 0 });
    expect(await notificationsOf(clientId)).toEqual([
      expect.objectContaining({
        type: 'newClientCreated',
        data: expect.objectContaining({ login: registration.login }),
      }),
    ]);
    const events = await historyOf(executionArn('registrationSaga', key));
    expect(statesEntered(events)).toEqual([
      'AddClient',
      'RegisterUser',
      'ApproveClient',
      'CreateAccount',
      'NotifyClientCreated',
      'Registered',
    ]);
  });

  it('keeps the password out of the execution input and history', async () => {
    const registration = newRegistration();
    const key = `reg-${uniqueSuffix()}`;

    await post('/api/client/register_client', registration, { 'Idempotency-Key': key });

    const history = JSON.stringify(await historyOf(executionArn('registrationSaga', key)));
    expect(history).toContain(registration.login);
    expect(history).not.toContain(registration.password);
    expect(history).toContain('scrypt$');
  });

  it('rejects the client and answers 409 when the login is taken', async () => {
    const first = newRegistration();
    await post('/api/client/register_client', first);
    const key = `reg-${uniqueSuffix()}`;
    const rejectedClientId = newId('client', key);

    const response = await post(
      '/api/client/register_client',
      { ...newRegistration(), login: first.login },
      {
        'Idempotency-Key': key,
      },
    );

    expect([response.status, response.body]).toEqual([409, { error: 'This login is already taken' }]);
    expect((await get(`/dev/clientService/client/${rejectedClientId}`)).body).toMatchObject({ status: 'REJECTED' });
    expect((await get(`/dev/billingService/billing/${rejectedClientId}`)).status).toBe(404);
    expect(await notificationsOf(rejectedClientId)).toEqual([]);
    const events = await historyOf(executionArn('registrationSaga', key));
    expect(statesEntered(events)).toEqual([
      'AddClient',
      'RegisterUser',
      'RejectClient',
      'RegistrationRejected',
      'LoginTaken',
    ]);
    expect(events.at(-1)).toMatchObject({
      type: 'ExecutionFailed',
      executionFailedEventDetails: { error: 'LoginTaken' },
    });
  });

  it.each(['clientAdd', 'authRegister', 'clientApprove', 'billingCreateAccount', 'notifyNewClientCreated'])(
    'retries a transient fault of %s and completes',
    async (fn) => {
      const key = `reg-${uniqueSuffix()}`;
      await injectFault({ functionName: resourceName(fn), error: 'Lambda.TooManyRequestsException', times: 1 });

      const response = await post('/api/client/register_client', newRegistration(), { 'Idempotency-Key': key });

      expect(response.status).toBe(200);
      const events = await historyOf(executionArn('registrationSaga', key));
      const failures = events.filter((event) => event.type === 'LambdaFunctionFailed');
      expect(failures.map((event) => event.lambdaFunctionFailedEventDetails?.error)).toEqual([
        'Lambda.TooManyRequestsException',
      ]);
      expect(statesEntered(events).at(-1)).toBe('Registered');
    },
  );

  it('refuses bad input with a 400 before any saga starts', async () => {
    const response = await post('/api/client/register_client', { ...newRegistration(), email: 'nope' });

    expect(response.status).toBe(400);
    expect(response.body.error).toContain('email');
  });
});

describe('Saga: order creation', () => {
  let client: SignedInClient;
  beforeEach(async () => {
    client = await registerAndSignIn();
  });

  it('confirms an affordable order, takes the money once and notifies', async () => {
    await deposit(client, 100);

    const response = await createOrder(client, 40.25);

    expect(response.status).toBe(200);
    expect(response.body).toEqual({ success: 'ok', orderId: expect.any(String), status: 'CONFIRMED' });
    const order = await getAsClient(client, `/api/orders/${response.body.orderId}`);
    expect(order.body).toMatchObject({ status: 'CONFIRMED', sum: 40.25 });
    expect((await getAsClient(client, '/api/me')).body.balance).toBe(59.75);
    const [latest] = await notificationsOf(client.clientId);
    expect(latest).toMatchObject({ type: 'newOrderCreated', data: { orderId: response.body.orderId, sum: 40.25 } });
  });

  it('rejects an unaffordable order with 402, moves no money and sends no notification', async () => {
    await deposit(client, 10);
    const key = `order-${uniqueSuffix()}`;

    const response = await createOrder(client, 10.01, key);

    expect(response.status).toBe(402);
    expect(response.body).toEqual({ error: expect.any(String), orderId: expect.any(String), status: 'REJECTED' });
    const order = await getAsClient(client, `/api/orders/${response.body.orderId}`);
    expect(order.body).toMatchObject({ status: 'REJECTED', reason: 'InsufficientFunds' });
    expect((await getAsClient(client, '/api/me')).body.balance).toBe(10);
    expect((await ledgerOf(client.clientId)).map((entry) => entry.type)).toEqual(['DEPOSIT']);
    expect((await notificationsOf(client.clientId)).map((n) => n.type)).toEqual(['newClientCreated']);
    const events = await historyOf(orderExecution(client, key));
    expect(statesEntered(events)).toEqual([
      'CreateOrder',
      'Withdraw',
      'RejectOrder',
      'OrderRejected',
      'InsufficientFunds',
    ]);
    expect(events.find((event) => event.type === 'LambdaFunctionFailed')?.lambdaFunctionFailedEventDetails?.error).toBe(
      'InsufficientFunds',
    );
  });

  it('answers a repeated POST with the same key with the first answer, running one saga', async () => {
    await deposit(client, 50);
    const key = `order-${uniqueSuffix()}`;

    const [first, second] = [await createOrder(client, 20, key), await createOrder(client, 20, key)];
    const reused = await createOrder(client, 21, key);

    expect(second.body).toEqual(first.body);
    expect([reused.status, reused.body.error]).toEqual([
      422,
      'This Idempotency-Key was already used for a different request',
    ]);
    expect((await getAsClient(client, '/api/orders')).body.orders).toHaveLength(1);
    expect((await getAsClient(client, '/api/me')).body.balance).toBe(30);
  });

  it.each(['orderCreate', 'billingWithdraw', 'orderConfirm', 'notifyNewOrderCreated'])(
    'retries a transient fault of %s and completes',
    async (fn) => {
      await deposit(client, 30);
      const key = `order-${uniqueSuffix()}`;
      await injectFault({ functionName: resourceName(fn), error: 'Lambda.ServiceException', times: 1 });

      const response = await createOrder(client, 30, key);

      expect(response.body).toMatchObject({ success: 'ok', status: 'CONFIRMED' });
      const failures = (await historyOf(orderExecution(client, key))).filter((e) => e.type === 'LambdaFunctionFailed');
      expect(failures.map((event) => event.lambdaFunctionFailedEventDetails?.error)).toEqual([
        'Lambda.ServiceException',
      ]);
      expect((await getAsClient(client, '/api/me')).body.balance).toBe(0);
    },
  );

  it('retries a step after the pivot that fails several times, never compensating', async () => {
    await deposit(client, 5);
    const key = `order-${uniqueSuffix()}`;
    await injectFault({ functionName: resourceName('orderConfirm'), error: 'DependencyFailure', times: 3 });

    const response = await createOrder(client, 5, key);

    expect(response.body).toMatchObject({ success: 'ok', status: 'CONFIRMED' });
    const events = await historyOf(orderExecution(client, key));
    expect(statesEntered(events)).not.toContain('RejectOrder');
    expect(events.filter((event) => event.type === 'LambdaFunctionFailed')).toHaveLength(3);
  });

  it('moves the local Prometheus figures: executions, durations, business events', async () => {
    const figures = async () => {
      const samples = await scrape(`${process.env['AWS_ENDPOINT_URL_SFN']}/metrics`);
      return {
        confirmedSagas: total(samples, 'saga_executions_total', { saga: 'orderSaga', status: 'SUCCEEDED', error: '' }),
        withdrawals: total(samples, 'lambda_duration_seconds_count', { function: 'billingWithdraw' }),
        confirmedOrders: total(samples, 'shop_business_events_total', {
          event: 'OrdersConfirmed',
          service: 'order',
          reason: '',
        }),
      };
    };
    const before = await figures();
    await deposit(client, 3);

    await createOrder(client, 3);

    // serverless-offline prints a function's lines, which the durations and business events are read from, a
    // moment after it answers: wait until every figure has moved (or 10 s have passed), then look at them.
    const moved = (now: typeof before) =>
      (Object.keys(before) as (keyof typeof before)[]).every((k) => now[k] > before[k]);
    const deadline = Date.now() + 10_000;
    let after = await figures();
    while (!moved(after) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      after = await figures();
    }
    expect(after.confirmedSagas).toBe(before.confirmedSagas + 1);
    expect(after.withdrawals).toBeGreaterThan(before.withdrawals);
    expect(after.confirmedOrders).toBe(before.confirmedOrders + 1);
  });

  it('takes the money once when the withdrawal is delivered twice (its first answer lost)', async () => {
    await deposit(client, 25);
    await injectFault({
      functionName: resourceName('billingWithdraw'),
      error: 'States.Timeout',
      times: 1,
      afterInvoke: true,
    });

    const response = await createOrder(client, 25);

    expect(response.body).toMatchObject({ success: 'ok', status: 'CONFIRMED' });
    expect((await getAsClient(client, '/api/me')).body.balance).toBe(0);
    expect((await ledgerOf(client.clientId)).map((entry) => entry.type)).toEqual(['DEPOSIT', 'WITHDRAWAL']);
  });
});
