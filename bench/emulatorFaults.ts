import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { DescribeExecutionCommand, RedriveExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../local/config';
import type { Emulator, LocalCloud } from '../local/localCloud';
import { answersAgree } from './answers';
import { effectsOf } from './faultEffects';
import type { FaultRow } from './faultReport';
import { checkDataSet, localCloudSources, readDataSet } from './invariants';
import type { Acknowledgements } from './load';
import { answerBody, readSagaAnswer, redriveProbe } from './sagaEnds';
import { executionArnOf } from '../lib/sagas/executionArn';

/**
 * Faults in the emulators themselves, not in the functions: DynamoDB Local frozen (SIGSTOP, then SIGCONT) or
 * killed and started again on its data, serverless-offline (every Lambda) killed and started again, the Step
 * Functions API stopped and started again, each while sagas of both kinds are in flight. What the design says
 * must follow: the Tasks that failed are retried, every saga reaches an end its design allows (a saga before
 * its pivot may compensate); a fault that outlasts a step's Retry schedule from the pivot on (at a fast time
 * scale, a few seconds do) stops its saga there, and once the emulator is back a redrive (the runbook's) must
 * complete it; none is left running, nothing is written twice, the invariants hold and the clients' answers
 * agree with the data. Each scenario gives one row of the fault report (bench/faultReport.ts).
 */

export interface EmulatorFault {
  emulator: Emulator;
  /** How the row names the fault. */
  fault: string;
  /** Strikes: the cloud is whole again when it resolves. */
  strike: (cloud: LocalCloud) => Promise<void>;
}

export const EMULATOR_FAULTS: EmulatorFault[] = [
  {
    emulator: 'dynamodb',
    fault: 'frozen 4 s (SIGSTOP, SIGCONT)',
    strike: async (cloud) => {
      const pid = cloud.emulators.dynamodb.pid()!;
      process.kill(pid, 'SIGSTOP');
      try {
        await sleep(4_000);
      } finally {
        process.kill(pid, 'SIGCONT');
      }
    },
  },
  {
    emulator: 'dynamodb',
    fault: 'killed (SIGKILL), restarted at once on its data',
    strike: async (cloud) => {
      await cloud.emulators.dynamodb.kill();
      await cloud.emulators.dynamodb.start();
    },
  },
  {
    emulator: 'offline',
    fault: 'killed (SIGKILL), restarted (on its bundle)',
    strike: async (cloud) => {
      await cloud.emulators.offline.kill();
      await cloud.emulators.offline.start();
    },
  },
  {
    emulator: 'stepFunctions',
    fault: 'stopped, restarted on its persisted executions 1 s later',
    strike: async (cloud) => {
      await cloud.emulators.stepFunctions.kill();
      await sleep(1_000);
      await cloud.emulators.stepFunctions.start();
    },
  },
];

const POINT: Record<Emulator, string> = {
  dynamodb: 'DynamoDB Local',
  offline: 'serverless-offline (Lambda, API Gateway)',
  stepFunctions: 'Step Functions API',
};

/** Ends a saga may reach under an emulator fault: success, or compensation before its pivot. */
export const ALLOWED_ENDS = {
  registration: ['SUCCEEDED', 'FAILED:RegistrationFailed'],
  order: ['SUCCEEDED', 'FAILED:OrderFailed'],
} as const;

const EXPECTED =
  'Tasks in flight retried; every saga ends SUCCEEDED or compensated before its pivot, or stops at a step from its pivot on and ends so once redriven (none left RUNNING); invariants hold; answers agree';

interface Client {
  clientId: string;
  cookie: string;
}

type Answer = { status: number; body: Record<string, unknown>; setCookie: string | null };

/**
 * A client of the public API that retries lost answers and faults with the same Idempotency-Key, for at most
 * `deadlineMs`: a saga endpoint's answers read as the load reads them (bench/sagaEnds.ts), any other's 5xx and
 * 409 retried.
 */
function apiClient(apiUrl: string, deadlineMs: number) {
  return async function send(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
    const saga = path.startsWith('/api/order/')
      ? 'order'
      : path.startsWith('/api/client/')
        ? 'registration'
        : undefined;
    const deadline = Date.now() + deadlineMs;
    for (;;) {
      try {
        const response = await fetch(`${apiUrl}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(30_000),
        });
        const parsed = answerBody(await response.text());
        const fault =
          saga === undefined
            ? parsed === undefined || response.status >= 500 || response.status === 409
            : readSagaAnswer(saga, response.status, parsed).kind === 'fault';
        if (!fault)
          return { status: response.status, body: parsed ?? {}, setCookie: response.headers.get('set-cookie') };
      } catch {
        // Lost (refused, reset, timed out): retried below.
      }
      if (Date.now() > deadline) throw new Error(`${path}: no answer within ${deadlineMs} ms`);
      await sleep(500);
    }
  };
}

async function signUp(send: ReturnType<typeof apiClient>, deposit: number): Promise<Client> {
  const suffix = randomUUID().slice(0, 8);
  const registration = {
    login: `emulator_${suffix}`,
    password: `emulator password ${suffix}`,
    firstName: 'Emma',
    lastName: 'Ulator',
    email: `emma.${suffix}@example.com`,
  };
  const registered = await send('/api/client/register_client', registration, { 'idempotency-key': randomUUID() });
  if (registered.status !== 200)
    throw new Error(`registration: ${registered.status} ${JSON.stringify(registered.body)}`);
  const login = await send('/api/auth/login', { login: registration.login, password: registration.password });
  const cookie = /session=[^;]+/.exec(login.setCookie ?? '')?.[0];
  if (cookie === undefined) throw new Error('login: no session cookie');
  await send('/api/billing/deposit', { sum: deposit }, { cookie, 'idempotency-key': randomUUID() });
  return { clientId: String(registered.body['clientId']), cookie };
}

/** The end of each execution (`SUCCEEDED`, `FAILED:<error>`), `RUNNING` for one still running at `deadline`. */
async function awaitClosed(sfn: SFNClient, arns: string[], deadline: number) {
  const ends = new Map<string, string>();
  for (;;) {
    for (const arn of arns.filter((item) => !ends.has(item))) {
      const execution = await sfn
        .send(new DescribeExecutionCommand({ executionArn: arn }))
        .catch((error: Error) => error);
      if (execution instanceof Error) {
        if (execution.name === 'ExecutionDoesNotExist') ends.set(arn, 'never started');
      } else if (execution.status !== 'RUNNING') {
        ends.set(arn, execution.status === 'FAILED' ? `FAILED:${execution.error}` : String(execution.status));
      }
    }
    if (ends.size === arns.length || Date.now() > deadline) break;
    await sleep(500);
  }
  return arns.map((arn) => ends.get(arn) ?? 'RUNNING');
}

export interface EmulatorFaultOptions {
  /** Clients signed up before the fault; each places `ordersPerClient` orders at once when it strikes. */
  clients?: number;
  ordersPerClient?: number;
  /** Registrations started at the same moment. */
  registrations?: number;
  /** How long after the sagas start the fault strikes: inside their first Tasks. */
  strikeAfterMs?: number;
  /** How long the sagas may take to end once the cloud is whole again (post-pivot retries back off). */
  settleTimeoutMs?: number;
}

/** Runs one emulator fault on `cloud` (started with `persist`, so that a restarted emulator keeps its data). */
export async function runEmulatorFault(
  cloud: LocalCloud,
  fault: EmulatorFault,
  options: EmulatorFaultOptions = {},
): Promise<FaultRow> {
  const started = Date.now();
  const { clients = 3, ordersPerClient = 2, registrations = 2, strikeAfterMs = 300 } = options;
  const settleTimeoutMs = options.settleTimeoutMs ?? 240_000;
  const apiUrl = `http://127.0.0.1:${cloud.ports.http}`;
  const send = apiClient(apiUrl, settleTimeoutMs);
  const sources = localCloudSources({ ports: cloud.ports });
  const sfn = new SFNClient({
    endpoint: `http://127.0.0.1:${cloud.ports.stepFunctions}`,
    region: LOCAL_REGION,
    credentials: {
      accessKeyId: LOCAL_CREDENTIALS.AWS_ACCESS_KEY_ID,
      secretAccessKey: LOCAL_CREDENTIALS.AWS_SECRET_ACCESS_KEY,
    },
  });
  const reasons: string[] = [];
  try {
    const signedUp = await Promise.all(Array.from({ length: clients }, () => signUp(send, 100)));
    const acknowledged: Acknowledgements = {
      clients: signedUp.map((client) => client.clientId),
      deposits: [],
      orders: [],
      abandoned: 0,
    };

    // The sagas, all at once; the fault strikes while they run. Each answer is awaited (retried) afterwards.
    const orderSagas = signedUp.flatMap((client) =>
      Array.from({ length: ordersPerClient }, (_, n) => {
        const key = randomUUID();
        const sum = 10 + n;
        return {
          client,
          sum,
          arn: executionArnOf(sources.stateMachineArns.order, `${client.clientId}_${key}`),
          answer: send('/api/order/create_order', { sum }, { cookie: client.cookie, 'idempotency-key': key }),
        };
      }),
    );
    const registrationSagas = Array.from({ length: registrations }, () => {
      const key = randomUUID();
      const suffix = key.slice(0, 8);
      return {
        arn: executionArnOf(sources.stateMachineArns.registration, key),
        answer: send(
          '/api/client/register_client',
          {
            login: `emulator_${suffix}`,
            password: `emulator password ${suffix}`,
            firstName: 'Emma',
            lastName: 'Ulator',
            email: `emma.${suffix}@example.com`,
          },
          { 'idempotency-key': key },
        ),
      };
    });
    await sleep(strikeAfterMs);
    await fault.strike(cloud);

    const orderAnswers = await Promise.all(orderSagas.map((saga) => saga.answer.catch((error: Error) => error)));
    const registrationAnswers = await Promise.all(
      registrationSagas.map((saga) => saga.answer.catch((error: Error) => error)),
    );
    const settleBy = Date.now() + settleTimeoutMs;
    const orderEnds = await awaitClosed(
      sfn,
      orderSagas.map((saga) => saga.arn),
      settleBy,
    );
    const registrationEnds = await awaitClosed(
      sfn,
      registrationSagas.map((saga) => saga.arn),
      settleBy,
    );
    // Stopped at a step that outlasted its retries: the emulator is back, so redrive it (once) and wait again.
    const waitsForRedrive = redriveProbe(sfn);
    let redriven = 0;
    for (const [sagas, ends] of [
      [orderSagas, orderEnds],
      [registrationSagas, registrationEnds],
    ] as const) {
      for (const [index, saga] of sagas.entries()) {
        // Nothing to redrive (reported below as an end no saga may have).
        if (ends[index] === 'never started') continue;
        if (!(await waitsForRedrive(saga.arn))) continue;
        await sfn.send(new RedriveExecutionCommand({ executionArn: saga.arn }));
        redriven += 1;
        ends[index] = (await awaitClosed(sfn, [saga.arn], Date.now() + settleTimeoutMs))[0]!;
      }
    }
    orderEnds.forEach((end, index) => {
      if (!(ALLOWED_ENDS.order as readonly string[]).includes(end))
        reasons.push(`order saga ${index + 1} ended ${end}`);
    });
    registrationEnds.forEach((end, index) => {
      if (!(ALLOWED_ENDS.registration as readonly string[]).includes(end)) {
        reasons.push(`registration saga ${index + 1} ended ${end}`);
      }
    });
    // What each client was finally told: a 202 is followed to its saga's end (read above), as a client would.
    orderSagas.forEach((saga, index) => {
      const answer = orderAnswers[index]!;
      if (answer instanceof Error) return reasons.push(`order ${index + 1}: ${answer.message}`);
      const end = answer.status === 202 ? orderEnds[index] : answer.status;
      const status =
        end === 200 || end === 'SUCCEEDED'
          ? 'CONFIRMED'
          : end === 422 || end === 'FAILED:OrderFailed'
            ? 'NOT_PLACED'
            : undefined;
      if (status === undefined) return reasons.push(`order ${index + 1} was answered ${answer.status}`);
      acknowledged.orders.push({
        clientId: saga.client.clientId,
        orderId: String(answer.body['orderId']),
        sum: saga.sum,
        status,
      });
      return undefined;
    });
    const newClients: string[] = [];
    registrationAnswers.forEach((answer, index) => {
      if (answer instanceof Error) return reasons.push(`registration ${index + 1}: ${answer.message}`);
      const clientId = String(answer.body['clientId'] ?? '');
      if (clientId !== '') newClients.push(clientId);
      if (answer.status === 200 || (answer.status === 202 && registrationEnds[index] === 'SUCCEEDED')) {
        acknowledged.clients.push(clientId);
      }
      return undefined;
    });

    const data = await readDataSet({ ...sources, clientIds: [...acknowledged.clients, ...newClients] });
    for (const invariant of [...checkDataSet(data), answersAgree(data, acknowledged)]) {
      if (!invariant.holds) reasons.push(`${invariant.name}: ${invariant.violations.join('; ')}`);
    }
    const effects = await effectsOf(sfn, [
      ...orderSagas.map((saga) => saga.arn),
      ...registrationSagas.map((saga) => saga.arn),
    ]);
    const count = (ends: string[]) =>
      Object.entries(ends.reduce<Record<string, number>>((acc, end) => ({ ...acc, [end]: (acc[end] ?? 0) + 1 }), {}))
        .map(([end, n]) => `${end.replace('FAILED:', '')} ${n}`)
        .join(', ');
    return {
      point: POINT[fault.emulator],
      fault: fault.fault,
      sagas: orderSagas.length + registrationSagas.length,
      expected: EXPECTED,
      observed:
        `orders: ${count(orderEnds)}; registrations: ${count(registrationEnds)}; ` +
        `${effects.retried} Task failures retried, ${effects.caught} not; ${redriven} stopped and redriven`,
      holds: reasons.length === 0,
      reasons,
      seconds: (Date.now() - started) / 1000,
    };
  } catch (error) {
    return {
      point: POINT[fault.emulator],
      fault: fault.fault,
      sagas: 0,
      expected: EXPECTED,
      observed: 'the scenario failed',
      holds: false,
      reasons: [...reasons, (error as Error).message],
      seconds: (Date.now() - started) / 1000,
    };
  } finally {
    sfn.destroy();
  }
}
