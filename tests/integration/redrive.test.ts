import {
  DescribeExecutionCommand,
  ExecutionDoesNotExist,
  ExecutionNotRedrivable,
  RedriveExecutionCommand,
  type DescribeExecutionOutput,
  type HistoryEvent,
} from '@aws-sdk/client-sfn';
import { scrape, total } from '../../local/prometheusText';
import { WAITING_FOR_REDRIVE } from '../../monitoring/watched';
import { get, post, uniqueSuffix, type ApiResponse } from '../support/api';
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
  stepFunctions,
  type SignedInClient,
} from './support/journey';
import { resourceName } from './support/stack';

/**
 * Forward recovery: a step from the pivot on (or a compensation) that fails on every attempt fails the
 * execution at that step; the client is told the order or registration is still being completed; once the
 * fault is gone, RedriveExecution resumes the execution there and the client gets the final answer. The
 * suite's clock runs at a hundredth of real time, so ten attempts take a second or two.
 */
const ATTEMPTS_AFTER_PIVOT = 11; // the first and 10 retries
const PIVOT_ATTEMPTS = 7; // the first and 6 retries

const ledgerOf = async (clientId: string) =>
  ((await get(`/dev/billingService/billing/${clientId}/transactions`)).body.transactions as { type: string }[]).map(
    (entry) => entry.type,
  );
const notificationsOf = async (clientId: string) =>
  ((await get(`/dev/notificationService/notification/client/${clientId}`)).body.notifications as { type: string }[])
    .map((notification) => notification.type)
    .sort();

async function describe_(executionArn: string): Promise<DescribeExecutionOutput> {
  return stepFunctions().send(new DescribeExecutionCommand({ executionArn }));
}

async function closed(executionArn: string): Promise<DescribeExecutionOutput> {
  for (let attempt = 0; attempt < 300; attempt++) {
    const execution = await describe_(executionArn);
    if (execution.status !== 'RUNNING') return execution;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${executionArn} still running`);
}

/**
 * What the local metrics count of a saga: its closed executions that failed with `error`, and its executions
 * waiting for a redrive (the gauge SagaWaitingForRedrive watches, tests/unit/monitoring/watched.test.ts).
 */
async function counted(saga: string, error: string): Promise<{ failed: number; waiting: number }> {
  const samples = await scrape(`${process.env['AWS_ENDPOINT_URL_SFN']}/metrics`);
  return {
    failed: total(samples, 'saga_executions_total', { saga, status: 'FAILED', error }),
    waiting: total(samples, WAITING_FOR_REDRIVE, { saga }),
  };
}

/** Metrics are counted as an execution closes, a moment after the API has seen it closed. */
async function countedWhen(
  saga: string,
  error: string,
  check: (now: { failed: number; waiting: number }) => boolean,
): Promise<{ failed: number; waiting: number }> {
  let now = await counted(saga, error);
  for (let attempt = 0; attempt < 40 && !check(now); attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    now = await counted(saga, error);
  }
  return now;
}

/**
 * The answer of a saga that waits for a redrive: still being completed, with the URL that will know (the
 * registration's carries the random token its saga keeps after the execution name, `<name>.<token>`).
 */
function expectStillBeingCompleted(answer: ApiResponse, statusPath: string, withToken = false) {
  const statusUrl = `${statusPath}/${String(answer.body.executionArn).split(':').at(-1)}`;
  expect(answer.status).toBe(202);
  expect(answer.body).toMatchObject({
    status: 'PENDING',
    executionArn: expect.stringContaining(':execution:'),
    statusUrl: withToken ? expect.stringMatching(new RegExp(`^${statusUrl}\\.[\\w-]{22}$`)) : statusUrl,
  });
}

/** Failed attempts of a function in the history, and what followed the redrive. */
function attempts(events: HistoryEvent[], functionName: string) {
  let current = '';
  const failed: string[] = [];
  const succeeded: string[] = [];
  for (const event of events) {
    const scheduled = event.lambdaFunctionScheduledEventDetails?.resource;
    if (scheduled) current = scheduled.split(':').at(-1)!;
    if (current !== resourceName(functionName)) continue;
    if (event.type === 'LambdaFunctionFailed') failed.push(event.lambdaFunctionFailedEventDetails!.error!);
    if (event.type === 'LambdaFunctionSucceeded') succeeded.push(String(event.id));
  }
  const redriven = events.findIndex((event) => event.type === 'ExecutionRedriven');
  return { failed, succeeded, redriven, redrivenEvent: events[redriven] };
}

async function redrive(executionArn: string, clientToken?: string) {
  await clearFaults();
  return stepFunctions().send(new RedriveExecutionCommand({ executionArn, clientToken }));
}

afterEach(clearFaults);

describe('Redrive: the order saga', () => {
  let client: SignedInClient;
  beforeEach(async () => {
    client = await registerAndSignIn();
  });
  const statusUrl = (answer: ApiResponse) => String(answer.body.statusUrl);

  it('fails at ConfirmOrder after every attempt, waits for a redrive, and completes when redriven', async () => {
    await deposit(client, 40);
    const key = `order-${uniqueSuffix()}`;
    const before = await counted('orderSaga', 'Lambda.ServiceException');
    await injectFault({
      functionName: resourceName('orderConfirm'),
      error: 'Lambda.ServiceException',
      times: ATTEMPTS_AFTER_PIVOT,
    });

    const answer = await createOrder(client, 40, key);

    expectStillBeingCompleted(answer, '/api/order/create_order');
    const { orderId, executionArn } = answer.body;
    expect(await describe_(executionArn)).toMatchObject({
      status: 'FAILED',
      error: 'Lambda.ServiceException',
      redriveStatus: 'REDRIVABLE',
      redriveCount: 0,
    });
    expect((await getAsClient(client, '/api/me')).body.balance).toBe(0);
    expect(await ledgerOf(client.clientId)).toEqual(['DEPOSIT', 'WITHDRAWAL']);
    expect((await getAsClient(client, `/api/orders/${orderId}`)).body.status).toBe('PENDING');
    expect((await getAsClient(client, statusUrl(answer))).body).toEqual(answer.body);
    const retried = await createOrder(client, 40, key);
    expect([retried.status, retried.body]).toEqual([202, answer.body]);
    expect(await countedWhen('orderSaga', 'Lambda.ServiceException', (now) => now.failed > before.failed)).toEqual({
      failed: before.failed + 1,
      waiting: before.waiting + 1,
    });

    const clientToken = `redrive-${uniqueSuffix()}`;
    const { redriveDate } = await redrive(executionArn, clientToken);

    expect(await closed(executionArn)).toMatchObject({ status: 'SUCCEEDED', redriveCount: 1, redriveDate });
    expect((await countedWhen('orderSaga', '', (now) => now.waiting === before.waiting)).waiting).toBe(before.waiting);
    expect((await getAsClient(client, `/api/orders/${orderId}`)).body.status).toBe('CONFIRMED');
    expect(await ledgerOf(client.clientId)).toEqual(['DEPOSIT', 'WITHDRAWAL']);
    expect(await notificationsOf(client.clientId)).toEqual(['newClientCreated', 'newOrderCreated']);
    const confirmed = { success: 'ok', orderId, status: 'CONFIRMED' };
    expect(await getAsClient(client, statusUrl(answer))).toMatchObject({ status: 200, body: confirmed });
    expect(await createOrder(client, 40, key)).toMatchObject({ status: 200, body: confirmed });
    const events = await historyOf(executionArn);
    const confirm = attempts(events, 'orderConfirm');
    expect(confirm.failed).toEqual(Array(ATTEMPTS_AFTER_PIVOT).fill('Lambda.ServiceException'));
    expect(confirm.redrivenEvent).toMatchObject({ executionRedrivenEventDetails: { redriveCount: 1 } });
    expect(confirm.succeeded).toHaveLength(1);
    expect(Number(confirm.succeeded[0])).toBeGreaterThan(confirm.redriven + 1);
    // The same client token again: the first redrive's answer, and no second redrive.
    expect((await redrive(executionArn, clientToken)).redriveDate).toEqual(redriveDate);
    expect((await historyOf(executionArn)).filter((event) => event.type === 'ExecutionRedriven')).toHaveLength(1);
  });

  it('fails at the pivot when Withdraw keeps losing its answer after writing, and redrives it without paying twice', async () => {
    await deposit(client, 25);
    await injectFault({
      functionName: resourceName('billingWithdraw'),
      error: 'Lambda.ServiceException',
      times: PIVOT_ATTEMPTS,
      afterInvoke: true,
    });

    const answer = await createOrder(client, 25, `order-${uniqueSuffix()}`);

    expectStillBeingCompleted(answer, '/api/order/create_order');
    const { orderId, executionArn } = answer.body;
    expect(await describe_(executionArn)).toMatchObject({ status: 'FAILED', error: 'Lambda.ServiceException' });
    expect(await ledgerOf(client.clientId)).toEqual(['DEPOSIT', 'WITHDRAWAL']);
    expect((await getAsClient(client, `/api/orders/${orderId}`)).body.status).toBe('PENDING');

    await redrive(executionArn);

    expect((await closed(executionArn)).status).toBe('SUCCEEDED');
    expect(await ledgerOf(client.clientId)).toEqual(['DEPOSIT', 'WITHDRAWAL']);
    expect((await getAsClient(client, '/api/me')).body.balance).toBe(0);
    expect((await getAsClient(client, `/api/orders/${orderId}`)).body.status).toBe('CONFIRMED');
    expect(await notificationsOf(client.clientId)).toEqual(['newClientCreated', 'newOrderCreated']);
    expect(attempts(await historyOf(executionArn), 'billingWithdraw').failed).toHaveLength(PIVOT_ATTEMPTS);
  });

  it('fails at NotifyOrderCreated, answers "still being completed" for a confirmed order, and notifies once when redriven', async () => {
    await deposit(client, 15);
    await injectFault({
      functionName: resourceName('notifyNewOrderCreated'),
      error: 'Lambda.ServiceException',
      times: ATTEMPTS_AFTER_PIVOT,
    });

    const answer = await createOrder(client, 15, `order-${uniqueSuffix()}`);

    expectStillBeingCompleted(answer, '/api/order/create_order');
    const { orderId, executionArn } = answer.body;
    expect((await getAsClient(client, `/api/orders/${orderId}`)).body.status).toBe('CONFIRMED');
    expect(await notificationsOf(client.clientId)).toEqual(['newClientCreated']);

    await redrive(executionArn);

    expect((await closed(executionArn)).status).toBe('SUCCEEDED');
    expect(await notificationsOf(client.clientId)).toEqual(['newClientCreated', 'newOrderCreated']);
    expect(await getAsClient(client, statusUrl(answer))).toMatchObject({
      status: 200,
      body: { success: 'ok', orderId, status: 'CONFIRMED' },
    });
  });

  it('fails at a compensation (RejectOrder) that keeps failing, and ends as the refusal it was when redriven', async () => {
    await deposit(client, 5);
    const before = await counted('orderSaga', 'InsufficientFunds');
    await injectFault({
      functionName: resourceName('orderReject'),
      error: 'Lambda.ServiceException',
      times: ATTEMPTS_AFTER_PIVOT,
    });

    const answer = await createOrder(client, 10, `order-${uniqueSuffix()}`);

    // Not yet a refusal: the order is not rejected until the compensation has run.
    expectStillBeingCompleted(answer, '/api/order/create_order');
    const { orderId, executionArn } = answer.body;
    expect(await describe_(executionArn)).toMatchObject({ status: 'FAILED', error: 'Lambda.ServiceException' });
    expect((await getAsClient(client, `/api/orders/${orderId}`)).body.status).toBe('PENDING');
    expect((await countedWhen('orderSaga', '', (now) => now.waiting > before.waiting)).waiting).toBe(
      before.waiting + 1,
    );

    await redrive(executionArn);

    expect(await closed(executionArn)).toMatchObject({ status: 'FAILED', error: 'InsufficientFunds' });
    // A refusal waits for no one: the saga's answer counted, and no execution left waiting for a redrive.
    expect(await countedWhen('orderSaga', 'InsufficientFunds', (now) => now.failed > before.failed)).toEqual({
      failed: before.failed + 1,
      waiting: before.waiting,
    });
    expect((await getAsClient(client, `/api/orders/${orderId}`)).body).toMatchObject({
      status: 'REJECTED',
      reason: 'InsufficientFunds',
    });
    expect(await getAsClient(client, statusUrl(answer))).toMatchObject({
      status: 402,
      body: { error: 'Not enough money on the account', orderId, status: 'REJECTED' },
    });
    expect((await getAsClient(client, '/api/me')).body.balance).toBe(5);
    expect(await ledgerOf(client.clientId)).toEqual(['DEPOSIT']);
  });

  it('refuses to redrive a succeeded execution or an unknown one', async () => {
    await deposit(client, 1);
    const key = `order-${uniqueSuffix()}`;
    await createOrder(client, 1, key);
    const succeeded = executionArn('orderSaga', `${client.clientId}_${key}`);

    const refusals = await Promise.all(
      [succeeded, `${succeeded}-unknown`].map((executionArn) =>
        stepFunctions()
          .send(new RedriveExecutionCommand({ executionArn }))
          .catch((error: Error) => error),
      ),
    );

    expect(refusals[0]).toBeInstanceOf(ExecutionNotRedrivable);
    expect(refusals[1]).toBeInstanceOf(ExecutionDoesNotExist);
  });
});

describe('Redrive: the registration saga', () => {
  it('fails at CreateAccount after the pivot, answers "still being completed", and registers when redriven', async () => {
    const registration = newRegistration();
    await injectFault({
      functionName: resourceName('billingCreateAccount'),
      error: 'Lambda.ServiceException',
      times: ATTEMPTS_AFTER_PIVOT,
    });

    const answer = await post('/api/client/register_client', registration, {
      'Idempotency-Key': `reg-${uniqueSuffix()}`,
    });

    expectStillBeingCompleted(answer, '/api/client/register_client', true);
    const { clientId, executionArn } = answer.body;
    expect(await describe_(executionArn)).toMatchObject({ status: 'FAILED', error: 'Lambda.ServiceException' });
    expect((await get(`/dev/billingService/billing/${clientId}`)).status).toBe(404);
    expect((await get(String(answer.body.statusUrl))).body).toEqual(answer.body);

    await redrive(executionArn);

    expect((await closed(executionArn)).status).toBe('SUCCEEDED');
    expect(await get(String(answer.body.statusUrl))).toMatchObject({
      status: 200,
      body: { clientId, login: registration.login },
    });
    expect((await get(`/dev/clientService/client/${clientId}`)).body.status).toBe('APPROVED');
    expect((await get(`/dev/billingService/billing/${clientId}`)).body).toEqual({ clientId, balance: 0 });
    expect(await notificationsOf(clientId)).toEqual(['newClientCreated']);
    const login = await post('/api/auth/login', { login: registration.login, password: registration.password });
    expect(login.status).toBe(200);
  });
});
