import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { DescribeExecutionCommand, ListExecutionsCommand, SFNClient, type ExecutionStatus } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import {
  checkInvariants,
  formatInvariants,
  INVARIANT_NAMES,
  localCloudSources,
  orderIdOfWithdrawal,
  type InvariantResult,
  type InvariantSources,
} from '../../../bench/invariants';
import { billingKey } from '../../../lib/billing/billingTable';
import { newId } from '../../../lib/common/ids';

const dynamo = mockClient(DynamoDBDocumentClient);
const sfn = mockClient(SFNClient);

const sources: InvariantSources = {
  tables: { clients: 'clients', billing: 'billing', orders: 'orders', notifications: 'notifications' },
  stateMachineArns: { registration: 'arn:registration', order: 'arn:order' },
};

/** A small run as the tables hold it: money in minor units, ledgers keyed by sequence, ids as the sagas derive them. */
interface World {
  clients: Record<string, unknown>[];
  billing: Record<string, unknown>[];
  orders: Record<string, unknown>[];
  notifications: Record<string, unknown>[];
  executions: { arn: string; saga: 'registration' | 'order'; status: ExecutionStatus; clientId: string }[];
}

const orderOf = (execution: string) => newId('order', execution);
const account = (clientId: string, balanceMinor: number, version: number) => ({
  ...billingKey({ kind: 'account', clientId }),
  clientId,
  balanceMinor,
  version,
});
const entry = (
  clientId: string,
  sequence: number,
  type: 'DEPOSIT' | 'WITHDRAWAL',
  sumMinor: number,
  balanceAfterMinor: number,
  requestId: string,
) => ({
  ...billingKey({ kind: 'entry', clientId, sequence }),
  id: `tx-${clientId}-${sequence}`,
  type,
  sumMinor,
  balanceAfterMinor,
  requestId,
});
const order = (execution: string, clientId: string, sumMinor: number, status: string) => ({
  id: orderOf(execution),
  clientId,
  sumMinor,
  status,
});
const welcome = (clientId: string) => ({ id: `n-${clientId}`, type: 'newClientCreated', clientId, data: { clientId } });
const orderNotice = (execution: string, clientId: string) => ({
  id: `n-${execution}`,
  type: 'newOrderCreated',
  clientId,
  data: { orderId: orderOf(execution), sumMinor: 1 },
});

/**
 * Ivan (c1) deposits 50, pays 20 for order a, is refused order b (100); Olga (c2) deposits 10 and pays it all
 * for order c; a third registration lost its login and was rejected.
 */
function consistentWorld(): World {
  return {
    clients: [
      { id: 'c1', status: 'APPROVED' },
      { id: 'c2', status: 'APPROVED' },
      { id: 'c3', status: 'REJECTED' },
    ],
    billing: [
      account('c1', 3000, 2),
      entry('c1', 1, 'DEPOSIT', 5000, 5000, 'api:c1:k1'),
      entry('c1', 2, 'WITHDRAWAL', 2000, 3000, 'c1_a/Withdraw'),
      account('c2', 0, 2),
      entry('c2', 1, 'DEPOSIT', 1000, 1000, 'api:c2:k1'),
      entry('c2', 2, 'WITHDRAWAL', 1000, 0, 'c2_c/Withdraw'),
      { ...billingKey({ kind: 'request', requestId: 'c1_a/Withdraw' }), requestId: 'c1_a/Withdraw' },
    ],
    orders: [
      order('c1_a', 'c1', 2000, 'CONFIRMED'),
      order('c1_b', 'c1', 10000, 'REJECTED'),
      order('c2_c', 'c2', 1000, 'CONFIRMED'),
    ],
    notifications: [welcome('c1'), welcome('c2'), orderNotice('c1_a', 'c1'), orderNotice('c2_c', 'c2')],
    executions: [
      { arn: 'arn:registration:r1', saga: 'registration', status: 'SUCCEEDED', clientId: 'c1' },
      { arn: 'arn:registration:r2', saga: 'registration', status: 'SUCCEEDED', clientId: 'c2' },
      { arn: 'arn:registration:r3', saga: 'registration', status: 'FAILED', clientId: 'c3' },
      { arn: 'arn:order:c1_a', saga: 'order', status: 'SUCCEEDED', clientId: 'c1' },
      { arn: 'arn:order:c1_b', saga: 'order', status: 'FAILED', clientId: 'c1' },
      { arn: 'arn:order:c2_c', saga: 'order', status: 'SUCCEEDED', clientId: 'c2' },
    ],
  };
}

/** Serves the world through the mocked clients: each table's scan in two pages, each machine's list in two. */
function serve(world: World): void {
  for (const table of ['clients', 'billing', 'orders', 'notifications'] as const) {
    const items = world[table];
    const half = Math.ceil(items.length / 2);
    dynamo
      .on(ScanCommand, { TableName: table })
      .resolvesOnce({ Items: items.slice(0, half), LastEvaluatedKey: { page: 2 } })
      .resolves({ Items: items.slice(half) });
  }
  for (const saga of ['registration', 'order'] as const) {
    const executions = world.executions
      .filter((execution) => execution.saga === saga)
      .map(({ arn, status }) => ({
        executionArn: arn,
        name: arn.split(':').at(-1)!,
        status,
        stateMachineArn: `arn:${saga}`,
        startDate: new Date(0),
      }));
    sfn
      .on(ListExecutionsCommand, { stateMachineArn: `arn:${saga}` })
      .resolvesOnce({ executions: executions.slice(0, 1), nextToken: 'next' })
      .resolves({ executions: executions.slice(1) });
  }
  for (const execution of world.executions) {
    sfn
      .on(DescribeExecutionCommand, { executionArn: execution.arn })
      .resolves({ input: JSON.stringify({ clientId: execution.clientId }) });
  }
}

const failing = (results: InvariantResult[]) => results.filter((result) => !result.holds).map((result) => result.name);
const named = (results: InvariantResult[], name: string) => results.find((result) => result.name === name)!;

beforeEach(() => {
  dynamo.reset();
  sfn.reset();
});

describe('Function: checkInvariants', () => {
  it('finds every invariant holding over a consistent run, reading every page', async () => {
    serve(consistentWorld());

    const results = await checkInvariants(sources);

    expect(failing(results)).toEqual([]);
    expect(results.map((result) => [result.name, result.checked])).toEqual([
      [INVARIANT_NAMES.money, 2 + 4 + 3],
      [INVARIANT_NAMES.balances, 2 + 4],
      [INVARIANT_NAMES.orders, 3 + 2],
      [INVARIANT_NAMES.inFlight, 6 + 3 + 3],
      [INVARIANT_NAMES.notifications, 3 + 3 + 4],
    ]);
    expect(dynamo).toHaveReceivedCommandTimes(ScanCommand, 8);
    expect(dynamo).toHaveReceivedCommandWith(ScanCommand, { TableName: 'billing', ExclusiveStartKey: { page: 2 } });
    expect(sfn).toHaveReceivedCommandWith(ListExecutionsCommand, { stateMachineArn: 'arn:order', nextToken: 'next' });
  });

  it('1. fails when money left an account for an order that is not confirmed (a pivot that needs attention)', async () => {
    const world = consistentWorld();
    world.orders.push(order('c2_d', 'c2', 500, 'PENDING'));
    world.billing.push(
      entry('c2', 3, 'DEPOSIT', 500, 500, 'api:c2:k2'),
      entry('c2', 4, 'WITHDRAWAL', 500, 0, 'c2_d/Withdraw'),
    );
    world.billing[3] = account('c2', 0, 4);
    serve(world);

    const results = await checkInvariants(sources);

    expect(failing(results)).toEqual([INVARIANT_NAMES.money, INVARIANT_NAMES.inFlight]);
    expect(named(results, INVARIANT_NAMES.money).violations).toEqual([
      'balances 30.00 + confirmed orders 30.00 = 60.00, but deposits are 65.00',
      'withdrawals are 35.00, confirmed orders 30.00',
    ]);
  });

  it('2. fails when a replayed ledger goes below zero, even if it ends at the right balance', async () => {
    const world = consistentWorld();
    // Olga's withdrawal recorded before the deposit that covered it.
    world.billing[4] = entry('c2', 1, 'WITHDRAWAL', 1000, -1000, 'c2_c/Withdraw');
    world.billing[5] = entry('c2', 2, 'DEPOSIT', 1000, 0, 'api:c2:k1');
    serve(world);

    const results = await checkInvariants(sources);

    expect(failing(results)).toEqual([INVARIANT_NAMES.balances]);
    expect(named(results, INVARIANT_NAMES.balances).violations).toEqual([
      'account c2, entry 1: the replayed balance goes negative (-10.00)',
      'account c2, entry 1: balanceAfter is -10.00',
    ]);
  });

  it("2. fails when an account's balance is not what its ledger gives", async () => {
    const world = consistentWorld();
    world.billing[0] = account('c1', 3100, 2);
    serve(world);

    const results = await checkInvariants(sources);

    expect(named(results, INVARIANT_NAMES.balances).violations).toEqual([
      'account c1: balance 31.00, its ledger gives 30.00',
    ]);
  });

  it("3. fails when an order's withdrawal is another order's money", async () => {
    const world = consistentWorld();
    // Order a (Ivan, 20) and order c (Olga, 10) each find the other's withdrawal.
    world.billing[2] = entry('c1', 2, 'WITHDRAWAL', 2000, 3000, 'c2_c/Withdraw');
    world.billing[5] = entry('c2', 2, 'WITHDRAWAL', 1000, 0, 'c1_a/Withdraw');
    serve(world);

    const results = await checkInvariants(sources);

    expect(failing(results)).toEqual([INVARIANT_NAMES.orders]);
    expect(named(results, INVARIANT_NAMES.orders).violations).toEqual([
      `order ${orderOf('c1_a')} of c1 is for 20.00, its withdrawal tx-c2-2 took 10.00 from c2`,
      `order ${orderOf('c2_c')} of c2 is for 10.00, its withdrawal tx-c1-2 took 20.00 from c1`,
    ]);
  });

  it('3. fails for a withdrawal that belongs to no order, and for a rejected order that was paid', async () => {
    const world = consistentWorld();
    world.billing[0] = account('c1', 0, 3);
    world.billing.push(entry('c1', 3, 'WITHDRAWAL', 3000, 0, 'c1_b/Withdraw'));
    world.billing.push(
      account('c4', 0, 2),
      entry('c4', 1, 'DEPOSIT', 700, 700, 'd'),
      entry('c4', 2, 'WITHDRAWAL', 700, 0, 'manual'),
    );
    serve(world);

    const results = await checkInvariants(sources);

    expect(named(results, INVARIANT_NAMES.orders).violations).toEqual([
      'withdrawal tx-c4-2 of 7.00 from c4 (request manual) belongs to no order',
      `order ${orderOf('c1_b')} of c1 is REJECTED, yet 1 withdrawal(s) paid for it`,
      `order ${orderOf('c1_b')} of c1 is for 100.00, its withdrawal tx-c1-3 took 30.00 from c1`,
    ]);
  });

  it('4. fails while a saga runs, or a client or an order is still PENDING', async () => {
    const world = consistentWorld();
    world.executions.push({ arn: 'arn:order:c2_e', saga: 'order', status: 'RUNNING', clientId: 'c2' });
    world.orders.push(order('c2_e', 'c2', 100, 'PENDING'));
    world.clients.push({ id: 'c5', status: 'PENDING' });
    serve(world);

    const results = await checkInvariants(sources);

    expect(failing(results)).toEqual([INVARIANT_NAMES.inFlight]);
    expect(named(results, INVARIANT_NAMES.inFlight).violations).toEqual([
      'order saga c2_e is still RUNNING',
      'client c5 is PENDING',
      `order ${orderOf('c2_e')} of c2 is PENDING`,
    ]);
  });

  it('5. fails for a notification sent twice, one for a rejected order and one missing', async () => {
    const world = consistentWorld();
    world.notifications = [
      welcome('c1'),
      { ...welcome('c1'), id: 'n-c1-again' },
      orderNotice('c1_a', 'c1'),
      orderNotice('c1_b', 'c1'),
      orderNotice('c2_c', 'c2'),
    ];
    serve(world);

    const results = await checkInvariants(sources);

    expect(failing(results)).toEqual([INVARIANT_NAMES.notifications]);
    expect(named(results, INVARIANT_NAMES.notifications).violations).toEqual([
      'client c1 is APPROVED and has 2 welcome notification(s)',
      'client c2 is APPROVED and has 0 welcome notification(s)',
      `order ${orderOf('c1_b')} is REJECTED and has 1 notification(s)`,
    ]);
  });

  it("checks only the given clients' data, asking only running executions whose they are", async () => {
    const world = consistentWorld();
    world.executions.push({ arn: 'arn:order:c1_f', saga: 'order', status: 'RUNNING', clientId: 'c1' });
    world.clients.push({ id: 'c9', status: 'PENDING' });
    world.executions.push({ arn: 'arn:registration:r9', saga: 'registration', status: 'RUNNING', clientId: 'c9' });
    serve(world);

    const results = await checkInvariants({ ...sources, clientIds: ['c2'] });

    expect(failing(results)).toEqual([]);
    expect(named(results, INVARIANT_NAMES.balances).checked).toBe(1 + 2);
    expect(sfn).toHaveReceivedCommandTimes(DescribeExecutionCommand, 2);
    dynamo.reset();
    sfn.reset();
    serve(world);
    const ofC1 = await checkInvariants({ ...sources, clientIds: new Set(['c1']) });
    expect(named(ofC1, INVARIANT_NAMES.inFlight).violations).toEqual(['order saga c1_f is still RUNNING']);
  });

  it('lists a few violations and counts them all', async () => {
    const world = consistentWorld();
    world.clients.push(...Array.from({ length: 8 }, (_, i) => ({ id: `p${i}`, status: 'PENDING' })));
    serve(world);

    const inFlight = named(await checkInvariants(sources), INVARIANT_NAMES.inFlight);

    expect(inFlight.violations).toHaveLength(5);
    expect(inFlight.violationCount).toBe(8);
  });
});

describe('Function: orderIdOfWithdrawal', () => {
  it("derives the order from the Withdraw step's request id, as the order saga does", () => {
    expect(orderIdOfWithdrawal('c1_key-1/Withdraw')).toBe(newId('order', 'c1_key-1'));
    expect(orderIdOfWithdrawal('c1_key-1/Refund')).toBeUndefined();
    expect(orderIdOfWithdrawal('api:c1:k1')).toBeUndefined();
  });
});

describe('Function: localCloudSources', () => {
  it("names the local cloud's tables and sagas as serverless.yml does, on its ports", () => {
    const local = localCloudSources({ ports: { dynamodb: 1, http: 2, lambda: 3, stepFunctions: 4 } });

    expect(local).toMatchObject({
      tables: { billing: 'shop-offline-billing', notifications: 'shop-offline-notifications' },
      stateMachineArns: { order: 'arn:aws:states:us-east-1:000000000000:stateMachine:shop-offline-orderSaga' },
      endpoints: { dynamodb: 'http://127.0.0.1:1', stepFunctions: 'http://127.0.0.1:4' },
    });
  });
});

describe('Function: formatInvariants', () => {
  it('prints one row per invariant, and the examples under a failing one', () => {
    const text = formatInvariants([
      { name: 'money is conserved', holds: true, checked: 1200, violations: [], violationCount: 0 },
      {
        name: 'nothing is left in flight',
        holds: false,
        checked: 30,
        violations: ['client c5 is PENDING'],
        violationCount: 3,
      },
    ]);

    expect(text.split('\n')).toEqual([
      'result  checked  violations  invariant',
      'holds      1200           0  1. money is conserved',
      'FAILS        30           3  2. nothing is left in flight',
      '        - client c5 is PENDING',
      '        - … and 2 more',
    ]);
  });
});
