import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { checkInvariants, formatInvariants, type InvariantResult } from '../../../bench/invariants';
import type { Acknowledgements } from '../../../bench/load';
import { newId } from '../../../lib/common/ids';

const documents = mockClient(DynamoDBDocumentClient);
const sfn = mockClient(SFNClient);
const tables = { clients: 'clients', billing: 'billing', orders: 'orders', notifications: 'notifications' };

/** One client who deposited 100.00, had order A (30.00) confirmed and order B (500.00) rejected. */
function consistentData() {
  const clientId = 'c1';
  const orderA = newId('order', 'c1_keyA');
  const orderB = newId('order', 'c1_keyB');
  const account = `ACCOUNT#${clientId}`;
  return {
    clients: [{ id: clientId, status: 'APPROVED' }],
    billing: [
      { pk: account, sk: 'ACCOUNT', clientId, balanceMinor: 7_000 },
      {
        pk: account,
        sk: 'TX#000000000001',
        type: 'DEPOSIT',
        sumMinor: 10_000,
        balanceAfterMinor: 10_000,
        requestId: 'api:c1:d1',
      },
      {
        pk: account,
        sk: 'TX#000000000002',
        type: 'WITHDRAWAL',
        sumMinor: 3_000,
        balanceAfterMinor: 7_000,
        requestId: 'c1_keyA/Withdraw',
      },
      { pk: 'REQUEST#api:c1:d1', sk: 'REQUEST' },
    ] as Record<string, unknown>[],
    orders: [
      { id: orderA, clientId, sumMinor: 3_000, status: 'CONFIRMED' },
      { id: orderB, clientId, sumMinor: 50_000, status: 'REJECTED' },
    ] as Record<string, unknown>[],
    notifications: [
      { id: 'n1', type: 'newClientCreated', clientId },
      { id: 'n2', type: 'newOrderCreated', clientId, data: { orderId: orderA } },
    ] as Record<string, unknown>[],
    running: 0,
    acknowledged: {
      clients: [clientId],
      deposits: [{ clientId, sum: 100, idempotencyKey: 'd1' }],
      orders: [
        { clientId, orderId: orderA, sum: 30, status: 'CONFIRMED' },
        { clientId, orderId: orderB, sum: 500, status: 'REJECTED' },
      ],
      abandoned: 0,
    } as Acknowledgements,
  };
}
type Data = ReturnType<typeof consistentData>;

async function check(data: Data): Promise<Record<string, InvariantResult>> {
  documents.reset();
  sfn.reset();
  for (const [name, table] of Object.entries(tables)) {
    documents.on(ScanCommand, { TableName: table }).resolves({ Items: data[name as keyof typeof tables] });
  }
  sfn.on(ListExecutionsCommand).resolves({ executions: Array.from({ length: data.running }, () => ({}) as never) });
  const results = await checkInvariants({
    dynamoDb: new DynamoDBClient({}),
    sfn: new SFNClient({}),
    tables,
    stateMachineArns: ['arn:registration', 'arn:order'],
    acknowledged: data.acknowledged,
  });
  return Object.fromEntries(results.map((result) => [result.name, result]));
}

const broken = (results: Record<string, InvariantResult>) =>
  Object.values(results)
    .filter((result) => !result.holds)
    .map((result) => result.name);

describe('the chaos run invariants', () => {
  it('all hold over a consistent data set, each having checked something', async () => {
    const results = await check(consistentData());
    expect(broken(results)).toEqual([]);
    expect(Object.values(results).every((result) => result.checked > 0)).toBe(true);
    expect(formatInvariants(Object.values(results))).toContain('✓ balances + confirmed orders = deposits');
  });

  it('money that appears from nowhere breaks the sum', async () => {
    const data = consistentData();
    data.billing[0]!['balanceMinor'] = 7_100;
    const results = await check(data);
    expect(broken(results)).toContain('balances + confirmed orders = deposits');
    expect(results['balances + confirmed orders = deposits']!.violations[0]).toContain('balances 71.00');
  });

  it('a ledger that dips below zero is a negative balance, even if it ends positive', async () => {
    const data = consistentData();
    data.billing[1]!['sk'] = 'TX#000000000003'; // the deposit now comes after the withdrawal
    const results = await check(data);
    expect(broken(results)).toContain('no balance is ever negative');
  });

  it('a confirmed order paid twice, or a rejected one paid at all, is caught', async () => {
    const twice = consistentData();
    twice.billing.push({ ...twice.billing[2]!, sk: 'TX#000000000003', balanceAfterMinor: 4_000 });
    twice.billing[0]!['balanceMinor'] = 4_000;
    expect(broken(await check(twice))).toContain('each order CONFIRMED with one withdrawal, or REJECTED with none');

    const rejectedPaid = consistentData();
    rejectedPaid.orders[0]!['status'] = 'REJECTED';
    const results = await check(rejectedPaid);
    expect(results['each order CONFIRMED with one withdrawal, or REJECTED with none']!.violations[0]).toContain(
      'is REJECTED with 1 withdrawal(s)',
    );
  });

  it('a saga still running or an order left PENDING is unfinished business', async () => {
    const running = consistentData();
    running.running = 2;
    expect(broken(await check(running))).toEqual(['no saga RUNNING, no client or order PENDING']);

    const pending = consistentData();
    pending.orders[1]!['status'] = 'PENDING';
    expect(broken(await check(pending))).toContain('no saga RUNNING, no client or order PENDING');
  });

  it('a missing or a second notification is caught', async () => {
    const twice = consistentData();
    twice.notifications.push({ ...twice.notifications[1]!, id: 'n3' });
    expect(broken(await check(twice))).toEqual(['one notification per registered client and per confirmed order']);

    const none = consistentData();
    none.notifications.shift();
    expect(broken(await check(none))).toEqual(['one notification per registered client and per confirmed order']);
  });

  it('an acknowledged deposit missing from the ledger is lost data', async () => {
    const data = consistentData();
    data.acknowledged.deposits.push({ clientId: 'c1', sum: 5, idempotencyKey: 'lost' });
    const results = await check(data);
    expect(broken(results)).toEqual(['every answer a client got agrees with the data']);
    expect(results['every answer a client got agrees with the data']!.violations[0]).toContain('deposit lost');
  });
});
