import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, paginateScan } from '@aws-sdk/lib-dynamodb';
import { DescribeExecutionCommand, paginateListExecutions, SFNClient } from '@aws-sdk/client-sfn';
import { billingItemOf } from '../lib/billing/billingTable';
import { newId } from '../lib/common/ids';
import { fromMinorUnits } from '../lib/common/money';
import { LOCAL_CREDENTIALS, LOCAL_REGION, LOCAL_STAGE, defaultPorts, type LocalCloudPorts } from '../local/config';
import { resourceName, stateMachineArn } from '../local/stackNames';

/**
 * Invariants over the whole data set of a run (issue 8's `npm run chaos`): whatever faults the functions met,
 * money is conserved and never negative, every order's money matches its outcome, nothing is left half done,
 * and every registration and confirmed order is notified once. Read from the tables and the Step Functions
 * API only, so it works against any running stack: `npm start`'s cloud, a test's, LocalStack or AWS.
 */

export interface InvariantResult {
  name: string;
  holds: boolean;
  /** How many items (accounts, ledger entries, orders, …) the invariant looked at. */
  checked: number;
  /** The first few violations, each a sentence naming the items. */
  violations: string[];
  /** How many violations there were in all. */
  violationCount: number;
}

/** Where the data is: table names as the functions get them, the sagas' ARNs, and optionally the endpoints. */
export interface InvariantSources {
  tables: { clients: string; billing: string; orders: string; notifications: string };
  stateMachineArns: { registration: string; order: string };
  /** Absent: the SDK's own (AWS_ENDPOINT_URL_DYNAMODB / _SFN, or AWS itself with the usual credentials). */
  endpoints?: { dynamodb?: string; stepFunctions?: string };
  region?: string;
  /** Only these clients' data, e.g. a test's own on a shared cloud; all of it when absent. */
  clientIds?: Iterable<string>;
}

/** How many violations each result lists; `violationCount` still counts them all. */
export const MAX_EXAMPLES = 5;

/** The local cloud's stack (stage `offline`): names as serverless.yml builds them (local/stackNames.ts). */
export function localCloudSources(
  options: { ports?: LocalCloudPorts; stage?: string; clientIds?: Iterable<string> } = {},
): InvariantSources {
  const ports = options.ports ?? defaultPorts();
  const stage = options.stage ?? LOCAL_STAGE;
  const name = (resource: string) => resourceName(resource, stage);
  const machine = (saga: string) => stateMachineArn(name(saga));
  return {
    tables: {
      clients: name('clients'),
      billing: name('billing'),
      orders: name('orders'),
      notifications: name('notifications'),
    },
    stateMachineArns: { registration: machine('registrationSaga'), order: machine('orderSaga') },
    endpoints: {
      dynamodb: `http://127.0.0.1:${ports.dynamodb}`,
      stepFunctions: `http://127.0.0.1:${ports.stepFunctions}`,
    },
    region: LOCAL_REGION,
    ...(options.clientIds === undefined ? {} : { clientIds: options.clientIds }),
  };
}

/** The items the invariants read, as stored (money in minor units). */
export interface Account {
  clientId: string;
  balanceMinor: number;
  version: number;
}
export interface LedgerEntry {
  clientId: string;
  sequence: number;
  id: string;
  type: 'DEPOSIT' | 'WITHDRAWAL';
  sumMinor: number;
  balanceAfterMinor: number;
  requestId: string;
}
export interface OrderItem {
  id: string;
  clientId: string;
  sumMinor: number;
  status: string;
}
export interface ClientItem {
  id: string;
  status: string;
}
export interface NotificationItem {
  id: string;
  type: string;
  clientId: string;
  data: Record<string, unknown>;
}
export interface SagaExecution {
  executionArn: string;
  saga: 'registration' | 'order';
  status: string;
}

export interface DataSet {
  accounts: Account[];
  ledger: LedgerEntry[];
  orders: OrderItem[];
  clients: ClientItem[];
  notifications: NotificationItem[];
  executions: SagaExecution[];
}

/** Reads the data set and checks every invariant over it. */
export async function checkInvariants(sources: InvariantSources): Promise<InvariantResult[]> {
  return checkDataSet(await readDataSet(sources));
}

export function checkDataSet(data: DataSet): InvariantResult[] {
  return [
    moneyIsConserved,
    noBalanceIsEverNegative,
    ordersMatchTheirWithdrawals,
    nothingIsLeftInFlight,
    notifiedOnce,
  ].map((invariant) => invariant(data));
}

// Reading

function clientsFor(sources: InvariantSources) {
  const local = (endpoint: string | undefined) =>
    endpoint === undefined
      ? {}
      : {
          endpoint,
          credentials: {
            accessKeyId: LOCAL_CREDENTIALS.AWS_ACCESS_KEY_ID,
            secretAccessKey: LOCAL_CREDENTIALS.AWS_SECRET_ACCESS_KEY,
          },
        };
  const region = sources.region === undefined ? {} : { region: sources.region };
  return {
    documents: DynamoDBDocumentClient.from(new DynamoDBClient({ ...region, ...local(sources.endpoints?.dynamodb) })),
    stepFunctions: new SFNClient({ ...region, ...local(sources.endpoints?.stepFunctions) }),
  };
}

async function scanAll(documents: DynamoDBDocumentClient, table: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  for await (const page of paginateScan({ client: documents }, { TableName: table, ConsistentRead: true })) {
    items.push(...(page.Items ?? []));
  }
  return items;
}

async function listExecutions(stepFunctions: SFNClient, stateMachineArn: string, saga: SagaExecution['saga']) {
  const executions: SagaExecution[] = [];
  for await (const page of paginateListExecutions({ client: stepFunctions }, { stateMachineArn })) {
    for (const execution of page.executions ?? []) {
      executions.push({ executionArn: execution.executionArn!, saga, status: execution.status ?? 'UNKNOWN' });
    }
  }
  return executions;
}

/** Whose a running execution is: its input names the client (the sagas' inputs always do). */
async function clientOfExecution(stepFunctions: SFNClient, executionArn: string): Promise<string | undefined> {
  const { input } = await stepFunctions.send(new DescribeExecutionCommand({ executionArn }));
  const clientId = (JSON.parse(input ?? '{}') as { clientId?: unknown }).clientId;
  return typeof clientId === 'string' ? clientId : undefined;
}

export async function readDataSet(sources: InvariantSources): Promise<DataSet> {
  const { documents, stepFunctions } = clientsFor(sources);
  const [billing, orders, clients, notifications, registrations, orderSagas] = await Promise.all([
    scanAll(documents, sources.tables.billing),
    scanAll(documents, sources.tables.orders),
    scanAll(documents, sources.tables.clients),
    scanAll(documents, sources.tables.notifications),
    listExecutions(stepFunctions, sources.stateMachineArns.registration, 'registration'),
    listExecutions(stepFunctions, sources.stateMachineArns.order, 'order'),
  ]);
  const wanted = sources.clientIds === undefined ? undefined : new Set(sources.clientIds);
  const mine = (clientId: unknown) => wanted === undefined || (typeof clientId === 'string' && wanted.has(clientId));

  // Each billing item with what its key says it is (lib/billing/billingTable.ts): an account, a ledger entry, a marker.
  const itemsOfBilling = billing.map((item) => ({
    item,
    ref: billingItemOf({ pk: String(item['pk']), sk: String(item['sk']) }),
  }));
  const executions = [...registrations, ...orderSagas];
  // With a filter, only running executions are asked whose they are (one call each): nothing else is checked.
  const owners = new Map(
    await Promise.all(
      executions
        .filter((execution) => execution.status === 'RUNNING' && wanted !== undefined)
        .map(
          async (execution) =>
            [execution.executionArn, await clientOfExecution(stepFunctions, execution.executionArn)] as const,
        ),
    ),
  );

  return {
    accounts: itemsOfBilling.flatMap(({ item, ref }) =>
      ref?.kind === 'account' && mine(ref.clientId)
        ? [{ clientId: ref.clientId, balanceMinor: Number(item['balanceMinor']), version: Number(item['version']) }]
        : [],
    ),
    ledger: itemsOfBilling
      .flatMap(({ item, ref }) => (ref?.kind === 'entry' && mine(ref.clientId) ? [{ item, ref }] : []))
      .map(({ item, ref }) => ({
        clientId: ref.clientId,
        sequence: ref.sequence,
        id: String(item['id']),
        type: item['type'] as LedgerEntry['type'],
        sumMinor: Number(item['sumMinor']),
        balanceAfterMinor: Number(item['balanceAfterMinor']),
        requestId: String(item['requestId']),
      })),
    orders: orders
      .filter((item) => mine(item['clientId']))
      .map((item) => ({
        id: String(item['id']),
        clientId: String(item['clientId']),
        sumMinor: Number(item['sumMinor']),
        status: String(item['status']),
      })),
    clients: clients
      .filter((item) => mine(item['id']))
      .map((item) => ({ id: String(item['id']), status: String(item['status']) })),
    notifications: notifications
      .filter((item) => mine(item['clientId']))
      .map((item) => ({
        id: String(item['id']),
        type: String(item['type']),
        clientId: String(item['clientId']),
        data: (item['data'] ?? {}) as Record<string, unknown>,
      })),
    executions: executions.filter((execution) => wanted === undefined || mine(owners.get(execution.executionArn))),
  };
}

// Checking

function result(name: string, checked: number, violations: string[]): InvariantResult {
  return {
    name,
    holds: violations.length === 0,
    checked,
    violations: violations.slice(0, MAX_EXAMPLES),
    violationCount: violations.length,
  };
}

const money = (minor: number) => fromMinorUnits(minor).toFixed(2);
const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
const signed = (entry: LedgerEntry) => (entry.type === 'DEPOSIT' ? entry.sumMinor : -entry.sumMinor);

function groupBy<T>(items: T[], key: (item: T) => string | undefined): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    if (k === undefined) continue;
    groups.set(k, [...(groups.get(k) ?? []), item]);
  }
  return groups;
}

export const INVARIANT_NAMES = {
  money: 'money is conserved: balances + confirmed orders = deposits, withdrawals = confirmed orders',
  balances: 'no balance is ever negative, and each ledger replays to its balance',
  orders: 'each order is CONFIRMED with one withdrawal or REJECTED with none; no withdrawal without an order',
  inFlight: 'nothing is left in flight: no saga RUNNING, no client or order PENDING',
  notifications: 'one notification per registered client and per confirmed order, none for the rejected',
} as const;

/** 1. What came in is either still on an account or paid for a confirmed order. */
function moneyIsConserved(data: DataSet): InvariantResult {
  const deposits = sum(data.ledger.filter((entry) => entry.type === 'DEPOSIT').map((entry) => entry.sumMinor));
  const withdrawals = sum(data.ledger.filter((entry) => entry.type === 'WITHDRAWAL').map((entry) => entry.sumMinor));
  const balances = sum(data.accounts.map((account) => account.balanceMinor));
  const confirmed = sum(data.orders.filter((order) => order.status === 'CONFIRMED').map((order) => order.sumMinor));
  const violations: string[] = [];
  if (balances + confirmed !== deposits) {
    violations.push(
      `balances ${money(balances)} + confirmed orders ${money(confirmed)} = ${money(balances + confirmed)}, but deposits are ${money(deposits)}`,
    );
  }
  if (withdrawals !== confirmed) {
    violations.push(`withdrawals are ${money(withdrawals)}, confirmed orders ${money(confirmed)}`);
  }
  return result(INVARIANT_NAMES.money, data.accounts.length + data.ledger.length + data.orders.length, violations);
}

/** 2. Replaying each account's ledger in sequence never goes below zero and ends at the account's balance. */
function noBalanceIsEverNegative(data: DataSet): InvariantResult {
  const violations: string[] = [];
  const entriesOf = groupBy(data.ledger, (entry) => entry.clientId);
  for (const account of data.accounts) {
    const entries = [...(entriesOf.get(account.clientId) ?? [])].sort((a, b) => a.sequence - b.sequence);
    entriesOf.delete(account.clientId);
    if (account.balanceMinor < 0)
      violations.push(`account ${account.clientId} has a balance of ${money(account.balanceMinor)}`);
    let replayed = 0;
    entries.forEach((entry, index) => {
      replayed += signed(entry);
      const at = `account ${account.clientId}, entry ${entry.sequence}`;
      if (entry.sequence !== index + 1) violations.push(`${at}: expected sequence ${index + 1}`);
      if (replayed < 0) violations.push(`${at}: the replayed balance goes negative (${money(replayed)})`);
      if (entry.balanceAfterMinor < 0) violations.push(`${at}: balanceAfter is ${money(entry.balanceAfterMinor)}`);
      if (entry.balanceAfterMinor !== replayed) {
        violations.push(
          `${at}: balanceAfter is ${money(entry.balanceAfterMinor)}, the replay gives ${money(replayed)}`,
        );
      }
    });
    if (replayed !== account.balanceMinor) {
      violations.push(
        `account ${account.clientId}: balance ${money(account.balanceMinor)}, its ledger gives ${money(replayed)}`,
      );
    }
    if (account.version !== entries.length) {
      violations.push(`account ${account.clientId}: version ${account.version}, ${entries.length} ledger entries`);
    }
  }
  for (const [clientId, entries] of entriesOf) {
    violations.push(`${entries.length} ledger entries of ${clientId}, which has no account`);
  }
  return result(INVARIANT_NAMES.balances, data.accounts.length + data.ledger.length, violations);
}

/**
 * The order a withdrawal paid for. The order saga's Withdraw step moves the money under the request id
 * `<execution name>/Withdraw`, and the order's id is derived from the same execution name (lib/sagas/orderSaga.ts).
 */
export function orderIdOfWithdrawal(requestId: string): string | undefined {
  const executionName = /^(.+)\/Withdraw$/.exec(requestId)?.[1];
  return executionName === undefined ? undefined : newId('order', executionName);
}

/** 3. An order's money matches its outcome, and money leaves an account only for an order. */
function ordersMatchTheirWithdrawals(data: DataSet): InvariantResult {
  const violations: string[] = [];
  const withdrawals = data.ledger.filter((entry) => entry.type === 'WITHDRAWAL');
  const byOrder = groupBy(withdrawals, (entry) => orderIdOfWithdrawal(entry.requestId));
  const orders = new Map(data.orders.map((order) => [order.id, order]));
  for (const entry of withdrawals) {
    const orderId = orderIdOfWithdrawal(entry.requestId);
    if (orderId === undefined || !orders.has(orderId)) {
      violations.push(
        `withdrawal ${entry.id} of ${money(entry.sumMinor)} from ${entry.clientId} (request ${entry.requestId}) belongs to no order`,
      );
    }
  }
  for (const order of data.orders) {
    const paid = byOrder.get(order.id) ?? [];
    const what = `order ${order.id} of ${order.clientId}`;
    if (order.status === 'CONFIRMED' && paid.length !== 1) {
      violations.push(`${what} is CONFIRMED with ${paid.length} withdrawals`);
    }
    if (order.status === 'REJECTED' && paid.length !== 0) {
      violations.push(`${what} is REJECTED, yet ${paid.length} withdrawal(s) paid for it`);
    }
    for (const entry of paid) {
      if (entry.sumMinor !== order.sumMinor || entry.clientId !== order.clientId) {
        violations.push(
          `${what} is for ${money(order.sumMinor)}, its withdrawal ${entry.id} took ${money(entry.sumMinor)} from ${entry.clientId}`,
        );
      }
    }
  }
  return result(INVARIANT_NAMES.orders, data.orders.length + withdrawals.length, violations);
}

/** 4. After the run has drained, every saga has ended and every record has reached a final status. */
function nothingIsLeftInFlight(data: DataSet): InvariantResult {
  const violations = [
    ...data.executions
      .filter((execution) => execution.status === 'RUNNING')
      .map((execution) => `${execution.saga} saga ${execution.executionArn.split(':').at(-1)} is still RUNNING`),
    ...data.clients.filter((client) => client.status === 'PENDING').map((client) => `client ${client.id} is PENDING`),
    ...data.orders
      .filter((order) => order.status === 'PENDING')
      .map((order) => `order ${order.id} of ${order.clientId} is PENDING`),
  ];
  return result(
    INVARIANT_NAMES.inFlight,
    data.executions.length + data.clients.length + data.orders.length,
    violations,
  );
}

/** 5. A notification records what it is about: `newClientCreated` its client, `newOrderCreated` the order in its data. */
function notifiedOnce(data: DataSet): InvariantResult {
  const violations: string[] = [];
  const welcomes = groupBy(
    data.notifications.filter((notification) => notification.type === 'newClientCreated'),
    (notification) => notification.clientId,
  );
  const orderNotices = groupBy(
    data.notifications.filter((notification) => notification.type === 'newOrderCreated'),
    (notification) => {
      const orderId = notification.data['orderId'];
      return typeof orderId === 'string' ? orderId : undefined;
    },
  );
  for (const client of data.clients) {
    const count = welcomes.get(client.id)?.length ?? 0;
    welcomes.delete(client.id);
    const expected = client.status === 'APPROVED' ? 1 : 0;
    if (count !== expected)
      violations.push(`client ${client.id} is ${client.status} and has ${count} welcome notification(s)`);
  }
  for (const order of data.orders) {
    const count = orderNotices.get(order.id)?.length ?? 0;
    orderNotices.delete(order.id);
    const expected = order.status === 'CONFIRMED' ? 1 : 0;
    if (count !== expected) violations.push(`order ${order.id} is ${order.status} and has ${count} notification(s)`);
  }
  for (const [clientId, notices] of welcomes)
    violations.push(`${notices.length} welcome notification(s) for unknown client ${clientId}`);
  for (const [orderId, notices] of orderNotices)
    violations.push(`${notices.length} notification(s) for unknown order ${orderId}`);
  return result(
    INVARIANT_NAMES.notifications,
    data.clients.length + data.orders.length + data.notifications.length,
    violations,
  );
}

// Showing

/** The results as a small text table, each failing invariant followed by its first violations. */
export function formatInvariants(results: InvariantResult[]): string {
  const rows = results.map((item, index) => ({
    holds: item.holds ? 'holds' : 'FAILS',
    checked: String(item.checked),
    violations: String(item.violationCount),
    name: `${index + 1}. ${item.name}`,
  }));
  const width = (column: 'holds' | 'checked' | 'violations', title: string) =>
    Math.max(title.length, ...rows.map((row) => row[column].length));
  const widths = {
    holds: width('holds', 'result'),
    checked: width('checked', 'checked'),
    violations: width('violations', 'violations'),
  };
  const line = (holds: string, checked: string, violations: string, name: string) =>
    `${holds.padEnd(widths.holds)}  ${checked.padStart(widths.checked)}  ${violations.padStart(widths.violations)}  ${name}`;
  const lines = [line('result', 'checked', 'violations', 'invariant')];
  rows.forEach((row, index) => {
    lines.push(line(row.holds, row.checked, row.violations, row.name));
    const item = results[index]!;
    for (const violation of item.violations) lines.push(`${' '.repeat(widths.holds + 2)}- ${violation}`);
    if (item.violationCount > item.violations.length) {
      lines.push(`${' '.repeat(widths.holds + 2)}- … and ${item.violationCount - item.violations.length} more`);
    }
  });
  return lines.join('\n');
}
