import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  DescribeExecutionCommand,
  paginateGetExecutionHistory,
  RedriveExecutionCommand,
  SFNClient,
  type DescribeExecutionOutput,
  type HistoryEvent,
} from '@aws-sdk/client-sfn';
import { LOCAL_CREDENTIALS, LOCAL_REGION, type LocalCloudPorts } from '../local/config';
import { resourceName } from '../local/stackNames';
import { answersAgree } from './answers';
import { effectsOf } from './faultEffects';
import { EVERY_ATTEMPT_ERROR, readDefinition, type MatrixCell, type MatrixFault, type Outcome } from './faultMatrix';
import type { FaultRow } from './faultReport';
import { checkDataSet, localCloudSources, readDataSet } from './invariants';
import type { Acknowledgements } from './load';
import { WAITING_FOR_REDRIVE, answerBody, readSagaAnswer, redriveProbe, type SagaEnd } from './sagaEnds';
import { executionArnOf } from '../lib/sagas/executionArn';

/**
 * Runs cells of the fault matrix (bench/faultMatrix.ts) on one local cloud: each cell is one saga with exactly
 * its fault at exactly its Task, struck through the local Step Functions endpoint's fault plan
 * (`/_local/faults`, local/faults/taskFaults.ts), aimed at that saga's execution alone: the invocation fails
 * before the call (nothing written), after it (written, the answer lost), as a timeout after it, is delivered
 * twice, or fails on every attempt until the fault is cleared. Then: the execution ended as the cell expects (at
 * the Task it stopped at, when it stopped), the compensation ran or not as it expects, the fault struck, and the
 * client's answer agrees with the execution. A saga that stopped is then redriven once its fault is cleared, as
 * the runbook says, and must end as the cell expects after the redrive. Last, over the client's data once the
 * saga is over: the invariants hold (money moved once) and the client's final answer agrees with the data.
 *
 * Cells aimed at different executions do not meet, so `concurrency` of them may run at once on the one cloud.
 * The cloud should run at a time scale (`startLocalCloud({ timeScale })`): a step that fails on every attempt
 * after the pivot retries for minutes at real time.
 */

/** What the fault plan is told for each fault kind (times: how many invocations in a row it strikes). */
function plannedFault(fault: MatrixFault) {
  switch (fault) {
    case 'beforeWrite':
      return { error: 'Lambda.ServiceException', times: 1 };
    case 'afterWrite':
      return { error: 'Lambda.ServiceException', times: 1, afterInvoke: true };
    case 'timeout':
      return { error: 'States.Timeout', times: 1, afterInvoke: true };
    case 'duplicate':
      return { duplicate: true, times: 1 };
    case 'everyAttempt':
      // More than any Retry schedule has attempts: it strikes until it is cleared.
      return { error: EVERY_ATTEMPT_ERROR, times: 1_000 };
  }
}

/** The function a Task invokes, by its serverless.yml key (`orderCreate`), from the definition's Resource. */
export function functionKeyOf(cell: MatrixCell): string {
  const state = readDefinition(cell.saga).States[cell.state] as { Resource?: string };
  const key = /-([A-Za-z0-9]+)$/.exec(state.Resource ?? '')?.[1];
  if (key === undefined) throw new Error(`${cell.saga}.${cell.state}: no function in its Resource`);
  return key;
}

/** What the client must have been told for an execution's end (bench/sagaEnds.ts). */
export function endOf(cell: Pick<MatrixCell, 'saga'>, outcome: Outcome): SagaEnd {
  if (outcome.stoppedAt !== undefined) return WAITING_FOR_REDRIVE;
  const ends: Record<string, SagaEnd> = {
    'order:SUCCEEDED': 'confirmed',
    'order:InsufficientFunds': 'insufficientFunds',
    'order:OrderFailed': 'orderFailed',
    'registration:SUCCEEDED': 'registered',
    'registration:LoginTaken': 'loginTaken',
    'registration:RegistrationFailed': 'notCompleted',
  };
  return ends[`${cell.saga}:${outcome.error ?? outcome.status}`] ?? WAITING_FOR_REDRIVE;
}

export const describeOutcome = (outcome: Outcome): string =>
  `${outcome.status}${outcome.error ? ` ${outcome.error}` : ''}` +
  `${outcome.stoppedAt ? ` at ${outcome.stoppedAt}, redrivable` : ''}${outcome.compensated ? ', compensated' : ''}` +
  `${outcome.afterRedrive ? `; after a redrive ${describeOutcome(outcome.afterRedrive)}` : ''}`;

/** The state an execution that failed outside a Fail state stopped in: the last one entered. */
function lastStateEntered(events: HistoryEvent[]): string | undefined {
  return events.findLast((event) => event.stateEnteredEventDetails !== undefined)?.stateEnteredEventDetails?.name;
}

/** How long a cell may follow its saga (a 202 at a time) before it counts as not answered. */
const FOLLOW_TIMEOUT_MS = 60_000;

export interface FaultMatrixOptions {
  /** Cells run at once (each on a saga of its own). */
  concurrency?: number;
  onRow?: (row: FaultRow) => void;
}

export async function runFaultMatrix(
  ports: LocalCloudPorts,
  cells: MatrixCell[],
  options: FaultMatrixOptions = {},
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
  const waitsForRedrive = redriveProbe(sfn);
  const call = async (method: 'GET' | 'POST', path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(`${apiUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const parsed = answerBody(await response.text());
    return { status: response.status, body: parsed, headers: response.headers };
  };
  const faults = `${sfnUrl}/_local/faults`;
  const strike = async (functionKey: string, executionArn: string, planned: object) => {
    const response = await fetch(faults, {
      method: 'POST',
      body: JSON.stringify({ functionName: resourceName(functionKey), executionArn, ...planned }),
    });
    if (response.status !== 204) throw new Error(`fault refused: ${await response.text()}`);
  };
  const scoped = (executionArn: string) => `${faults}?executionArn=${encodeURIComponent(executionArn)}`;
  const clearFault = (executionArn: string) => fetch(scoped(executionArn), { method: 'DELETE' });
  const faultsLeft = async (executionArn: string) =>
    ((await (await fetch(scoped(executionArn))).json()) as { faults: unknown[] }).faults.length;
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
  /**
   * Follows a saga's answers as a client does: the POST, then its status URL until an end (bounded). A saga
   * pending for a while is asked after: one that waits for a redrive ends the following there.
   */
  const follow = async (saga: 'order' | 'registration', first: Awaited<ReturnType<typeof call>>, headers = {}) => {
    let answer = first;
    const deadline = Date.now() + FOLLOW_TIMEOUT_MS;
    for (let polls = 0; ; polls += 1) {
      const reading = readSagaAnswer(saga, answer.status, answer.body);
      if (reading.kind === 'final') return { end: reading.end, body: answer.body ?? {}, statusUrl: undefined };
      if (reading.kind !== 'pending' || Date.now() > deadline) return undefined;
      const executionArn = answer.body?.['executionArn'];
      if (polls > 0 && typeof executionArn === 'string' && (await waitsForRedrive(executionArn))) {
        return { end: WAITING_FOR_REDRIVE as SagaEnd, body: answer.body ?? {}, statusUrl: reading.statusUrl };
      }
      await sleep(200);
      answer = await call('GET', reading.statusUrl, undefined, headers);
    }
  };
  /** The execution as an Outcome (with the state it stopped in, when it is redrivable), and its history. */
  const observe = async (executionArn: string) => {
    const execution: DescribeExecutionOutput = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    const events: HistoryEvent[] = [];
    for await (const page of paginateGetExecutionHistory({ client: sfn }, { executionArn })) {
      events.push(...(page.events ?? []));
    }
    const compensated = events.some((event) =>
      ['RejectOrder', 'RejectClient'].includes(event.stateEnteredEventDetails?.name ?? ''),
    );
    const stopped = await waitsForRedrive(executionArn);
    const outcome: Outcome = {
      status: execution.status === 'SUCCEEDED' ? 'SUCCEEDED' : 'FAILED',
      ...(execution.error === undefined ? {} : { error: execution.error }),
      compensated,
      ...(stopped ? { stoppedAt: lastStateEntered(events) ?? '?' } : {}),
    };
    return { execution, outcome };
  };
  const compare = (reasons: string[], observed: Outcome, expected: Outcome, when: string) => {
    const { afterRedrive: _after, ...expectedNow } = expected;
    if (describeOutcome(observed) !== describeOutcome(expectedNow)) {
      reasons.push(`${when}: ended ${describeOutcome(observed)}, expected ${describeOutcome(expectedNow)}`);
    }
  };

  async function runCell(cell: MatrixCell): Promise<FaultRow> {
    const started = Date.now();
    const row: FaultRow = {
      point: `${cell.saga}.${cell.state} (${cell.role})`,
      fault: cell.fault,
      sagas: 1,
      expected: describeOutcome(cell.expected),
      observed: '',
      holds: false,
      reasons: [],
      seconds: 0,
    };
    let executionArn: string | undefined;
    try {
      const functionKey = functionKeyOf(cell);
      const acknowledged: Acknowledgements = { clients: [], deposits: [], orders: [], abandoned: 0 };
      const key = randomUUID();
      let clientIds: string[] = [];
      /** Sends the saga's POST (with the fault planned at its execution), follows it; then its status URL again. */
      let begin: () => Promise<Awaited<ReturnType<typeof follow>>>;
      let again: (statusUrl: string) => Promise<Awaited<ReturnType<typeof follow>>>;
      let acknowledge: (answered: NonNullable<Awaited<ReturnType<typeof follow>>>) => void;
      if (cell.saga === 'order') {
        const client = await signUp(100);
        const sum = cell.role === 'compensation' ? 500 : 10;
        const arn = executionArnOf(sources.stateMachineArns.order, `${client.clientId}_${key}`);
        executionArn = arn;
        clientIds = [client.clientId];
        const headers = { cookie: client.cookie };
        begin = async () => {
          await strike(functionKey, arn, plannedFault(cell.fault));
          const first = await call('POST', '/api/order/create_order', { sum }, { ...headers, 'idempotency-key': key });
          return follow('order', first, headers);
        };
        again = async (statusUrl) => follow('order', await call('GET', statusUrl, undefined, headers), headers);
        acknowledge = (answered) => {
          const told = { confirmed: 'CONFIRMED', insufficientFunds: 'REJECTED', orderFailed: 'NOT_PLACED' } as const;
          const status = told[answered.end as keyof typeof told];
          if (status === undefined) return;
          acknowledged.orders.push({
            clientId: client.clientId,
            orderId: String(answered.body['orderId']),
            sum,
            status,
          });
        };
      } else {
        // A compensation is reached by a login already taken at the pivot.
        const taken = cell.role === 'compensation' ? (await signUp(0)).login : undefined;
        const arn = executionArnOf(sources.stateMachineArns.registration, key);
        executionArn = arn;
        begin = async () => {
          await strike(functionKey, arn, plannedFault(cell.fault));
          const first = await call('POST', '/api/client/register_client', newRegistration(taken), {
            'idempotency-key': key,
          });
          const clientId = String(first.body?.['clientId'] ?? '');
          if (clientId !== '') clientIds = [clientId];
          return follow('registration', first);
        };
        again = async (statusUrl) => follow('registration', await call('GET', statusUrl));
        acknowledge = (answered) => {
          const clientId = String(answered.body['clientId'] ?? '');
          if (clientId !== '') clientIds = [clientId];
          if (answered.end === 'registered') acknowledged.clients.push(clientId);
        };
      }

      let answered = await begin();
      let { execution, outcome } = await observe(executionArn);
      compare(row.reasons, outcome, cell.expected, 'first');
      const expectedEnd = endOf(cell, cell.expected);
      if (answered?.end !== expectedEnd)
        row.reasons.push(`the client was told ${answered?.end ?? 'nothing final'}, expected ${expectedEnd}`);
      const effects = await effectsOf(sfn, [executionArn]);
      const failures = Object.values(effects.failures).reduce((sum, n) => sum + n, 0);
      // The fault struck: a failing kind shows in the history; a duplicate delivery was taken from the plan.
      if (cell.fault !== 'duplicate' && failures === 0) row.reasons.push('no Task failure: the fault did not strike');
      if (cell.fault !== 'everyAttempt' && (await faultsLeft(executionArn)) > 0)
        row.reasons.push('the fault is still planned: it did not strike');
      row.observed =
        `${describeOutcome(outcome)} (${failures} Task failures, ${effects.retried} retried); ` +
        `told ${answered?.end ?? 'nothing final'}`;

      if (cell.expected.afterRedrive !== undefined && outcome.stoppedAt !== undefined) {
        // The runbook: the cause is fixed, the execution redriven; the client asks its status URL again.
        await clearFault(executionArn);
        await sfn.send(new RedriveExecutionCommand({ executionArn }));
        answered = answered?.statusUrl === undefined ? undefined : await again(answered.statusUrl);
        ({ execution, outcome } = await observe(executionArn));
        compare(row.reasons, outcome, cell.expected.afterRedrive, 'after the redrive');
        if (execution.redriveCount !== 1) row.reasons.push(`redriveCount ${execution.redriveCount}, expected 1`);
        const finalEnd = endOf(cell, cell.expected.afterRedrive);
        if (answered?.end !== finalEnd)
          row.reasons.push(
            `after the redrive the client was told ${answered?.end ?? 'nothing final'}, expected ${finalEnd}`,
          );
        row.observed += `; redriven: ${describeOutcome(outcome)}, told ${answered?.end ?? 'nothing final'}`;
      }
      if (answered !== undefined) acknowledge(answered);
      // Over the data once the saga is over (a saga that waits has, by design, money moved and nothing confirmed).
      const data = await readDataSet({ ...sources, clientIds });
      for (const invariant of [...checkDataSet(data), answersAgree(data, acknowledged)]) {
        if (!invariant.holds) row.reasons.push(`${invariant.name}: ${invariant.violations.join('; ')}`);
      }
      row.holds = row.reasons.length === 0;
    } catch (error) {
      row.reasons.push((error as Error).message);
    } finally {
      if (executionArn !== undefined) await clearFault(executionArn).catch(() => undefined);
      row.seconds = (Date.now() - started) / 1000;
      options.onRow?.(row);
    }
    return row;
  }

  const rows: FaultRow[] = new Array(cells.length);
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < cells.length; index = next++) rows[index] = await runCell(cells[index]!);
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 1) }, worker));
  } finally {
    sfn.destroy();
  }
  return rows;
}
