import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { DescribeExecutionCommand, paginateGetExecutionHistory, SFNClient } from '@aws-sdk/client-sfn';
import { LOCAL_CREDENTIALS, LOCAL_REGION, LOCAL_STAGE, type LocalCloudPorts } from '../local/config';
import { answersAgree } from './answers';
import { readDefinition, type MatrixCell, type MatrixFault, type Outcome } from './faultMatrix';
import type { FaultRow } from './faultReport';
import { checkDataSet, localCloudSources, readDataSet } from './invariants';
import type { Acknowledgements } from './load';
import { readSagaAnswer, type SagaEnd } from './sagaEnds';
import { executionArnOf } from '../lib/sagas/saga';

/**
 * Runs cells of the fault matrix (bench/faultMatrix.ts) one after the other on one local cloud: each cell is
 * one saga with exactly its fault at exactly its Task, struck through the local Step Functions endpoint's
 * fault plan (`/_local/faults`, local/stepfunctions/faults.ts), which fails that function's next invocations:
 * before the call (nothing written), after it (written, the answer lost), as a timeout after it, or on every
 * attempt. Then: the execution ended as the cell expects, the compensation ran or not as it expects, the
 * invariants hold over that client's data, and the client's final answer agrees with the data.
 *
 * Cells this cannot strike yet are skipped with the reason: a duplicate delivery (the fault plan has no
 * such fault; the functions' own `duplicate` fault is cloud-wide), and cells that wait for the Step Functions
 * time scale or RedriveExecution (`needs`).
 */

/** What the fault plan is told for each fault kind (times: how many invocations in a row fail). */
function plannedFault(fault: MatrixFault, attempts: number) {
  switch (fault) {
    case 'beforeWrite':
      return { error: 'Lambda.ServiceException', times: 1 };
    case 'afterWrite':
      return { error: 'Lambda.ServiceException', times: 1, afterInvoke: true };
    case 'timeout':
      return { error: 'States.Timeout', times: 1, afterInvoke: true };
    case 'everyAttempt':
      return { error: 'Lambda.ServiceException', times: attempts };
    case 'duplicate':
      return undefined;
  }
}

/** Why a cell cannot run here yet, or undefined. */
export function notRunnable(cell: MatrixCell): string | undefined {
  if (cell.fault === 'duplicate') return 'needs a duplicate delivery in the Step Functions fault plan';
  // A cell that needs only redrive runs: it checks that the execution waits as designed (FAILED, redrivable).
  if (cell.needs?.includes('timeScale')) return `needs ${cell.needs.join(' and ')}`;
  return undefined;
}

/** The function a Task invokes, by its serverless.yml key (`orderCreate`), from the definition's Resource. */
export function functionKeyOf(cell: MatrixCell): string {
  const state = readDefinition(cell.saga).States[cell.state] as { Resource?: string };
  const key = /-([A-Za-z0-9]+)$/.exec(state.Resource ?? '')?.[1];
  if (key === undefined) throw new Error(`${cell.saga}.${cell.state}: no function in its Resource`);
  return key;
}

/** Attempts in all of a Task's transient Retry: enough failures in a row to exhaust it. */
function attemptsOf(cell: MatrixCell): number {
  const state = readDefinition(cell.saga).States[cell.state]!;
  const retrier = state.Retry?.find((retry) => retry.ErrorEquals.includes('States.ALL'));
  return (retrier?.MaxAttempts ?? 3) + 1;
}

const END_OF: Record<string, SagaEnd> = {
  'order:SUCCEEDED': 'confirmed',
  'order:InsufficientFunds': 'insufficientFunds',
  'order:OrderFailed': 'orderFailed',
  'order:NeedsAttention': 'beingLookedInto',
  'registration:SUCCEEDED': 'registered',
  'registration:LoginTaken': 'loginTaken',
  'registration:RegistrationFailed': 'notCompleted',
  'registration:NeedsAttention': 'notCompleted',
};

const describe = (outcome: Outcome) =>
  `${outcome.status}${outcome.error ? ` ${outcome.error}` : ''}${outcome.compensated ? ', compensated' : ''}`;

export async function runFaultMatrix(
  ports: LocalCloudPorts,
  cells: MatrixCell[],
  onRow: (row: FaultRow) => void = () => undefined,
): Promise<FaultRow[]> {
  const apiUrl = `http://127.0.0.1:${ports.http}`;
  const sfnUrl = `http://127.0.0.1:${ports.stepFunctions}`;
  const sources = localCloudSources({ ports });
  const sfn = new SFNClient({
    endpoint: sfnUrl,
    region: LOCAL_REGION,
    credentials: {
      accessKeyId: LOCAL_CREDENTIALS.AWS_ACCESS_KEY_ID,
      secretAccessKey: LOCAL_CREDENTIALS.AWS_SECRET_ACCESS_KEY,
    },
  });
  const call = async (method: 'GET' | 'POST', path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(`${apiUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    let parsed: Record<string, unknown> | undefined;
    try {
      parsed = JSON.parse(text) as Record<string, unknown>;
    } catch {
      parsed = undefined;
    }
    return { status: response.status, body: parsed, headers: response.headers };
  };
  const fault = async (functionKey: string, planned: object) => {
    const response = await fetch(`${sfnUrl}/_local/faults`, {
      method: 'POST',
      body: JSON.stringify({ functionName: `shop-${LOCAL_STAGE}-${functionKey}`, ...planned }),
    });
    if (response.status !== 204) throw new Error(`fault refused: ${await response.text()}`);
  };
  const clearFaults = () => fetch(`${sfnUrl}/_local/faults`, { method: 'DELETE' });
  const newRegistration = (login = `matrix_${randomUUID().slice(0, 8)}`) => ({
    login,
    password: `matrix password ${login}`,
    firstName: 'Mat',
    lastName: 'Rix',
    email: `${login}@example.com`,
  });
  const signUp = async (deposit: number) => {
    const registration = newRegistration();
    const registered = await call('POST', '/api/client/register_client', registration);
    if (registered.status !== 200) throw new Error(`sign-up: registration answered ${registered.status}`);
    const login = await call('POST', '/api/auth/login', { login: registration.login, password: registration.password });
    const cookie = /session=[^;]+/.exec(login.headers.get('set-cookie') ?? '')?.[0];
    if (cookie === undefined) throw new Error('sign-up: no session');
    await call('POST', '/api/billing/deposit', { sum: deposit }, { cookie, 'idempotency-key': randomUUID() });
    return { clientId: String(registered.body?.['clientId']), cookie, login: registration.login };
  };
  /** Follows a saga's answers as a client does: the POST, then its status URL until an end (bounded). */
  const follow = async (saga: 'order' | 'registration', first: Awaited<ReturnType<typeof call>>, headers = {}) => {
    let answer = first;
    const deadline = Date.now() + 120_000;
    for (;;) {
      const reading = readSagaAnswer(saga, answer.status, answer.body);
      if (reading.kind === 'final') return { end: reading.end, body: answer.body ?? {} };
      if (reading.kind !== 'pending' || Date.now() > deadline) return undefined;
      await sleep(250);
      answer = await call('GET', reading.statusUrl, undefined, headers);
    }
  };

  const rows: FaultRow[] = [];
  try {
    for (const cell of cells) {
      const started = Date.now();
      const row: FaultRow = {
        point: `${cell.saga}.${cell.state} (${cell.role})`,
        fault: cell.fault,
        sagas: 1,
        expected: describe(cell.expected),
        observed: '',
        holds: false,
        reasons: [],
        seconds: 0,
      };
      try {
        const planned = plannedFault(cell.fault, attemptsOf(cell));
        const skip = notRunnable(cell);
        if (skip !== undefined || planned === undefined) throw new Skipped(skip ?? 'no such fault');
        const functionKey = functionKeyOf(cell);
        const acknowledged: Acknowledgements = { clients: [], deposits: [], orders: [], abandoned: 0 };
        let clientIds: string[];
        let executionArn: string;
        let answered: Awaited<ReturnType<typeof follow>>;
        const key = randomUUID();
        if (cell.saga === 'order') {
          const client = await signUp(100);
          const sum = cell.role === 'compensation' ? 500 : 10;
          await fault(functionKey, planned);
          const first = await call(
            'POST',
            '/api/order/create_order',
            { sum },
            { cookie: client.cookie, 'idempotency-key': key },
          );
          answered = await follow('order', first, { cookie: client.cookie });
          executionArn = executionArnOf(sources.stateMachineArns.order, `${client.clientId}_${key}`);
          clientIds = [client.clientId];
          const told = { confirmed: 'CONFIRMED', insufficientFunds: 'REJECTED', orderFailed: 'NOT_PLACED' } as const;
          const status = answered === undefined ? undefined : told[answered.end as keyof typeof told];
          if (status !== undefined) {
            acknowledged.orders.push({
              clientId: client.clientId,
              orderId: String(answered!.body['orderId']),
              sum,
              status,
            });
          }
        } else {
          // A compensation is reached by a login already taken at the pivot.
          const taken = cell.role === 'compensation' ? (await signUp(0)).login : undefined;
          await fault(functionKey, planned);
          const registration = newRegistration(taken);
          const first = await call('POST', '/api/client/register_client', registration, { 'idempotency-key': key });
          answered = await follow('registration', first);
          executionArn = executionArnOf(sources.stateMachineArns.registration, key);
          const clientId = String(first.body?.['clientId'] ?? answered?.body['clientId'] ?? '');
          clientIds = clientId === '' ? [] : [clientId];
          if (answered?.end === 'registered') acknowledged.clients.push(clientId);
        }
        const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
        let compensated = false;
        for await (const page of paginateGetExecutionHistory({ client: sfn }, { executionArn })) {
          compensated ||= (page.events ?? []).some((event) =>
            ['RejectOrder', 'RejectClient'].includes(event.stateEnteredEventDetails?.name ?? ''),
          );
        }
        const observed: Outcome = {
          status: execution.status === 'SUCCEEDED' ? 'SUCCEEDED' : 'FAILED',
          ...(execution.error === undefined ? {} : { error: execution.error }),
          compensated,
        };
        row.observed = `${execution.status}${execution.error ? ` ${execution.error}` : ''}${compensated ? ', compensated' : ''}; told ${answered?.end ?? 'nothing final'}`;
        if (execution.status !== cell.expected.status || observed.error !== cell.expected.error) {
          row.reasons.push(`ended ${execution.status} ${execution.error ?? ''}, expected ${describe(cell.expected)}`);
        }
        if (compensated !== cell.expected.compensated) {
          row.reasons.push(compensated ? 'compensated, which it must not' : 'did not compensate');
        }
        const expectedEnd = END_OF[`${cell.saga}:${execution.error ?? execution.status}`];
        if (answered?.end !== expectedEnd)
          row.reasons.push(`the client was told ${answered?.end}, the saga ended ${expectedEnd}`);
        const data = await readDataSet({ ...sources, clientIds });
        for (const invariant of [...checkDataSet(data), answersAgree(data, acknowledged)]) {
          if (!invariant.holds) row.reasons.push(`${invariant.name}: ${invariant.violations.join('; ')}`);
        }
        row.holds = row.reasons.length === 0;
      } catch (error) {
        if (error instanceof Skipped) row.observed = `not run: ${error.message}`;
        else row.reasons.push((error as Error).message);
      } finally {
        await clearFaults();
        row.seconds = (Date.now() - started) / 1000;
        rows.push(row);
        onRow(row);
      }
    }
  } finally {
    sfn.destroy();
  }
  return rows;
}

/** A cell that cannot run yet: reported, not counted as a fault point that fails. */
class Skipped extends Error {
  override readonly name = 'Skipped';
}

export const isSkipped = (row: FaultRow) => row.observed.startsWith('not run:');
