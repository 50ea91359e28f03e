import { type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, paginateScan } from '@aws-sdk/lib-dynamodb';
import { paginateListExecutions, type SFNClient } from '@aws-sdk/client-sfn';
import { newId } from '../lib/common/ids';
import type { Acknowledgements } from './load';

/** One invariant over the whole data set: whether it holds, over how many items, and the first violations. */
export interface InvariantResult {
  name: string;
  holds: boolean;
  checked: number;
  violations: string[];
}

export interface InvariantSources {
  dynamoDb: DynamoDBClient;
  sfn: SFNClient;
  tables: { clients: string; billing: string; orders: string; notifications: string };
  stateMachineArns: string[];
  /** What the clients were told; each answer is checked against the data. */
  acknowledged?: Acknowledgements;
  /** Only these clients' data (a test sharing its cloud with others); everything when absent. */
  clientIds?: ReadonlySet<string>;
}

interface ClientItem {
  id: string;
  status: string;
}
interface AccountItem {
  pk: string;
  sk: string;
  clientId: string;
  balanceMinor: number;
}
interface LedgerItem {
  pk: string;
  sk: string;
  type: 'DEPOSIT' | 'WITHDRAWAL';
  sumMinor: number;
  balanceAfterMinor: number;
  requestId: string;
}
interface OrderItem {
  id: string;
  clientId: string;
  sumMinor: number;
  status: string;
}
interface NotificationItem {
  id: string;
  type: string;
  clientId: string;
  data?: { orderId?: string };
}

/** The order saga's Withdraw step runs with request id `<execution name>/Withdraw`; the order id comes from that name. */
const WITHDRAW_SUFFIX = '/Withdraw';
export const orderOfWithdrawal = (requestId: string) =>
  requestId.endsWith(WITHDRAW_SUFFIX) ? newId('order', requestId.slice(0, -WITHDRAW_SUFFIX.length)) : undefined;

const MAX_EXAMPLES = 5;

/** Collects an invariant's checks: every check counts, the first few failures are kept as examples. */
class Check {
  checked = 0;
  private failures = 0;
  private readonly examples: string[] = [];

  constructor(private readonly name: string) {}

  that(ok: boolean, violation: () => string): void {
    this.checked += 1;
    if (ok) return;
    this.failures += 1;
    if (this.examples.length < MAX_EXAMPLES) this.examples.push(violation());
  }

  result(): InvariantResult {
    const violations =
      this.failures > this.examples.length ? [...this.examples, `… ${this.failures} in all`] : this.examples;
    return { name: this.name, holds: this.failures === 0, checked: this.checked, violations };
  }
}

async function scan<T>(documents: DynamoDBDocumentClient, table: string): Promise<T[]> {
  const items: T[] = [];
  for await (const page of paginateScan({ client: documents }, { TableName: table, ConsistentRead: true })) {
    items.push(...((page.Items ?? []) as T[]));
  }
  return items;
}

const money = (minor: number) => (minor / 100).toFixed(2);

/** Reads every client, account, ledger entry, order, notification and execution, and checks the invariants. */
export async function checkInvariants(sources: InvariantSources): Promise<InvariantResult[]> {
  const documents = DynamoDBDocumentClient.from(sources.dynamoDb);
  const mine = (clientId: string) => sources.clientIds === undefined || sources.clientIds.has(clientId);
  const [clients, billing, orders, notifications] = await Promise.all([
    scan<ClientItem>(documents, sources.tables.clients),
    scan<AccountItem | LedgerItem>(documents, sources.tables.billing),
    scan<OrderItem>(documents, sources.tables.orders),
    scan<NotificationItem>(documents, sources.tables.notifications),
  ]);
  const clientsOfMine = clients.filter((client) => mine(client.id));
  const accounts = billing.filter((item): item is AccountItem => item.sk === 'ACCOUNT' && mine(item.pk.slice(8)));
  const entries = billing
    .filter((item): item is LedgerItem => item.sk.startsWith('TX#') && mine(item.pk.slice(8)))
    .sort((a, b) => (a.pk === b.pk ? a.sk.localeCompare(b.sk) : a.pk.localeCompare(b.pk)));
  const ordersOfMine = orders.filter((order) => mine(order.clientId));
  const notificationsOfMine = notifications.filter((notification) => mine(notification.clientId));
  const statuses = await executionStatuses(sources);

  const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
  const confirmed = ordersOfMine.filter((order) => order.status === 'CONFIRMED');
  const deposits = entries.filter((entry) => entry.type === 'DEPOSIT');
  const withdrawals = entries.filter((entry) => entry.type === 'WITHDRAWAL');

  const conservation = new Check('balances + confirmed orders = deposits');
  const balances = sum(accounts.map((account) => account.balanceMinor));
  const paid = sum(confirmed.map((order) => order.sumMinor));
  const deposited = sum(deposits.map((entry) => entry.sumMinor));
  const withdrawn = sum(withdrawals.map((entry) => entry.sumMinor));
  conservation.that(
    balances + paid === deposited,
    () => `balances ${money(balances)} + confirmed ${money(paid)} ≠ deposits ${money(deposited)}`,
  );
  conservation.that(withdrawn === paid, () => `withdrawals ${money(withdrawn)} ≠ confirmed orders ${money(paid)}`);

  const neverNegative = new Check('no balance is ever negative');
  const replayed = new Map<string, number>();
  for (const entry of entries) {
    const before = replayed.get(entry.pk) ?? 0;
    const after = before + (entry.type === 'DEPOSIT' ? entry.sumMinor : -entry.sumMinor);
    replayed.set(entry.pk, after);
    neverNegative.that(
      after >= 0 && after === entry.balanceAfterMinor,
      () => `${entry.pk} ${entry.sk}: replayed balance ${money(after)}, entry says ${money(entry.balanceAfterMinor)}`,
    );
  }
  for (const account of accounts) {
    const expected = replayed.get(account.pk) ?? 0;
    neverNegative.that(
      account.balanceMinor >= 0 && account.balanceMinor === expected,
      () => `${account.pk}: balance ${money(account.balanceMinor)}, its ledger adds up to ${money(expected)}`,
    );
  }

  const oneWithdrawal = new Check('each order CONFIRMED with one withdrawal, or REJECTED with none');
  const withdrawalsOf = new Map<string, LedgerItem[]>();
  for (const entry of withdrawals) {
    const orderId = orderOfWithdrawal(entry.requestId) ?? `(no order: ${entry.requestId})`;
    withdrawalsOf.set(orderId, [...(withdrawalsOf.get(orderId) ?? []), entry]);
  }
  const orderIds = new Set(ordersOfMine.map((order) => order.id));
  for (const order of ordersOfMine) {
    const taken = withdrawalsOf.get(order.id) ?? [];
    const ok =
      (order.status === 'CONFIRMED' && taken.length === 1 && taken[0]!.sumMinor === order.sumMinor) ||
      (order.status === 'REJECTED' && taken.length === 0);
    oneWithdrawal.that(ok, () => `order ${order.id} is ${order.status} with ${taken.length} withdrawal(s)`);
  }
  for (const [orderId, taken] of withdrawalsOf) {
    if (!orderIds.has(orderId))
      oneWithdrawal.that(false, () => `${taken.length} withdrawal(s) for no order (${orderId})`);
  }

  const settled = new Check('no saga RUNNING, no client or order PENDING');
  settled.that(statuses.running === 0, () => `${statuses.running} saga(s) RUNNING`);
  for (const client of clientsOfMine) settled.that(client.status !== 'PENDING', () => `client ${client.id} PENDING`);
  for (const order of ordersOfMine) settled.that(order.status !== 'PENDING', () => `order ${order.id} PENDING`);

  const notified = new Check('one notification per registered client and per confirmed order');
  const count = (key: string) => notificationsOfMine.filter((n) => notificationKey(n) === key).length;
  for (const client of clientsOfMine) {
    const expected = client.status === 'APPROVED' ? 1 : 0;
    const found = count(`client:${client.id}`);
    notified.that(found === expected, () => `client ${client.id} (${client.status}): ${found} notification(s)`);
  }
  for (const order of ordersOfMine) {
    const expected = order.status === 'CONFIRMED' ? 1 : 0;
    const found = count(`order:${order.id}`);
    notified.that(found === expected, () => `order ${order.id} (${order.status}): ${found} notification(s)`);
  }

  const results = [conservation, neverNegative, oneWithdrawal, settled, notified].map((check) => check.result());
  if (sources.acknowledged) results.push(answersAgree(sources.acknowledged, clientsOfMine, ordersOfMine, deposits));
  return results;
}

const notificationKey = (notification: NotificationItem) =>
  notification.type === 'newOrderCreated' ? `order:${notification.data?.orderId}` : `client:${notification.clientId}`;

async function executionStatuses(sources: InvariantSources): Promise<{ running: number }> {
  let running = 0;
  for (const stateMachineArn of sources.stateMachineArns) {
    for await (const page of paginateListExecutions(
      { client: sources.sfn },
      { stateMachineArn, statusFilter: 'RUNNING' },
    )) {
      running += page.executions?.length ?? 0;
    }
  }
  return { running };
}

/** Every answer a client got is what the data says: nothing acknowledged was lost, nothing told was untrue. */
function answersAgree(
  acknowledged: Acknowledgements,
  clients: ClientItem[],
  orders: OrderItem[],
  deposits: LedgerItem[],
): InvariantResult {
  const check = new Check('every answer a client got agrees with the data');
  const clientStatus = new Map(clients.map((client) => [client.id, client.status]));
  for (const clientId of acknowledged.clients) {
    const status = clientStatus.get(clientId);
    check.that(status === 'APPROVED', () => `client ${clientId} was told "registered", is ${status ?? 'missing'}`);
  }
  const depositIds = new Set(deposits.map((entry) => entry.requestId));
  for (const deposit of acknowledged.deposits) {
    check.that(
      depositIds.has(`api:${deposit.clientId}:${deposit.idempotencyKey}`),
      () => `deposit ${deposit.idempotencyKey} of client ${deposit.clientId} was acknowledged, is not in the ledger`,
    );
  }
  const orderStatus = new Map(orders.map((order) => [order.id, order.status]));
  for (const order of acknowledged.orders) {
    const status = orderStatus.get(order.orderId);
    check.that(
      status === order.status,
      () => `order ${order.orderId} was told ${order.status}, is ${status ?? 'missing'}`,
    );
  }
  return check.result();
}

/** The invariants as printed lines: ✓ or ✗, the count checked, and any violations below. */
export function formatInvariants(results: InvariantResult[]): string {
  return results
    .map((result) =>
      [
        `${result.holds ? '✓' : '✗'} ${result.name.padEnd(64)} ${String(result.checked).padStart(7)} checked`,
        ...result.violations.map((violation) => `    ${violation}`),
      ].join('\n'),
    )
    .join('\n');
}
