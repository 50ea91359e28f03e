import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request } from 'undici';

/**
 * Virtual users driving the public API the way a shop's clients do: each registers, signs in, deposits, then
 * places a stream of orders, some of which it cannot afford, and starts again as a new client. Every
 * state-changing call carries an Idempotency-Key and is retried with the same key when the answer is lost or
 * is a fault (5xx, 409 "in progress", a timeout), as a well-behaved client would; every attempt is sampled.
 */

export type Endpoint = 'register_client' | 'login' | 'deposit' | 'create_order' | 'saga status';
export const ENDPOINTS: Endpoint[] = ['register_client', 'login', 'deposit', 'create_order', 'saga status'];
export type SagaName = 'registration' | 'order';

export interface LoadOptions {
  /** The API's base URL, e.g. http://127.0.0.1:3000. */
  baseUrl: string;
  users: number;
  durationS: number;
  /** Orders a client places before its virtual user registers a new client. */
  ordersPerClient: number;
  /**
   * The share of orders for more than the client's balance (rejected by the saga: not an error), spread
   * evenly over each client's orders (at 0.2, its 3rd, 8th, 13th, …), so every run has some.
   */
  unaffordableShare: number;
  /** What each new client deposits, in whole currency units. */
  depositSum: number;
  /** Attempts per call before the user gives up on it (a fault answer or a lost one is retried). */
  maxAttempts: number;
  requestTimeoutMs: number;
  onProgress?: (progress: LoadProgress) => void;
}

export const DEFAULT_LOAD: Omit<LoadOptions, 'baseUrl'> = {
  users: 16,
  durationS: 30,
  ordersPerClient: 20,
  unaffordableShare: 0.2,
  depositSum: 1000,
  maxAttempts: 8,
  requestTimeoutMs: 35_000,
};

/** One HTTP attempt. `fault` marks an unexpected outcome: 5xx, a refused or lost answer, a timeout, a 4xx we did not ask for. */
export interface CallSample {
  endpoint: Endpoint;
  startedAt: number;
  ms: number;
  status: number;
  fault?: string;
}

/** One saga as its client lived it: from the first POST to the final answer, polls and retries included. */
export interface SagaSample {
  saga: SagaName;
  startedAt: number;
  ms: number;
  outcome: 'completed' | 'rejected' | 'failed';
  /** Attempts on the way that were faults (each one retried with the same key). */
  faults: number;
}

/** What clients were told, so the data can be checked against it afterwards. */
export interface Acknowledgements {
  clients: string[];
  deposits: { clientId: string; sum: number; idempotencyKey: string }[];
  orders: { clientId: string; orderId: string; sum: number; status: 'CONFIRMED' | 'REJECTED' }[];
  /** Calls a user gave up on after `maxAttempts`: their outcome is unknown to the client. */
  abandoned: number;
}

export interface LoadResult {
  startedAt: number;
  elapsedMs: number;
  calls: CallSample[];
  sagas: SagaSample[];
  acknowledged: Acknowledgements;
}

export interface LoadProgress {
  elapsedS: number;
  durationS: number;
  sagas: Record<SagaName, number>;
  faults: number;
  inFlight: number;
}

interface Answer {
  status: number;
  body: Record<string, unknown>;
  headers: Record<string, string | string[] | undefined>;
}

/** A final answer for the client (success or a business refusal), or a fault to retry. */
class CallFailed extends Error {
  override readonly name = 'CallFailed';
}

const RETRY_BASE_MS = 50;

/** Whether a client's order number `placed` (from 0) is one it cannot afford: `share` of them, evenly spread. */
export function isUnaffordable(placed: number, share: number): boolean {
  return Math.floor((placed + 1) * share + 0.5) > Math.floor(placed * share + 0.5);
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const dispatcher = new Agent({
    connections: options.users * 2,
    keepAliveTimeout: 30_000,
    headersTimeout: options.requestTimeoutMs,
    bodyTimeout: options.requestTimeoutMs,
  });
  const calls: CallSample[] = [];
  const sagas: SagaSample[] = [];
  const acknowledged: Acknowledgements = { clients: [], deposits: [], orders: [], abandoned: 0 };
  const startedAt = Date.now();
  const deadline = startedAt + options.durationS * 1000;
  let inFlight = 0;

  /** Counts the faults of the attempts made on behalf of one saga. */
  type Tally = { faults: number };

  async function attempt(
    endpoint: Endpoint,
    method: string,
    path: string,
    body: unknown,
    headers: Record<string, string>,
    tally?: Tally,
  ) {
    const started = performance.now();
    const sample: CallSample = { endpoint, startedAt: Date.now(), ms: 0, status: 0 };
    inFlight += 1;
    try {
      const response = await request(`${options.baseUrl}${path}`, {
        method: method as 'GET' | 'POST',
        dispatcher,
        headers: { 'content-type': 'application/json', ...headers },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await response.body.text();
      sample.status = response.statusCode;
      let parsed: Record<string, unknown> = {};
      try {
        parsed = JSON.parse(text) as Record<string, unknown>;
      } catch {
        sample.fault = `unparsable answer (${response.statusCode})`;
      }
      if (sample.fault === undefined && (response.statusCode >= 500 || response.statusCode === 409)) {
        sample.fault = `${response.statusCode} ${String(parsed['error'] ?? '')}`.trim();
      }
      return { status: response.statusCode, body: parsed, headers: response.headers } satisfies Answer;
    } catch (error) {
      sample.fault = `lost: ${(error as Error).message}`;
      return undefined;
    } finally {
      inFlight -= 1;
      sample.ms = performance.now() - started;
      calls.push(sample);
      if (sample.fault !== undefined && tally !== undefined) tally.faults += 1;
    }
  }

  /** Sends until a final answer (one of `finalStatuses`), retrying faults with the same key; undefined when abandoned. */
  async function call(
    endpoint: Endpoint,
    path: string,
    body: unknown,
    finalStatuses: number[],
    headers: Record<string, string> = {},
    tally?: Tally,
  ): Promise<Answer> {
    for (let attemptNo = 1; attemptNo <= options.maxAttempts; attemptNo += 1) {
      const answer = await attempt(endpoint, 'POST', path, body, headers, tally);
      if (answer !== undefined && (finalStatuses.includes(answer.status) || answer.status === 202)) return answer;
      if (answer !== undefined && answer.status < 500 && answer.status !== 409) {
        throw new CallFailed(`${endpoint}: unexpected ${answer.status} ${JSON.stringify(answer.body)}`);
      }
      await sleep(Math.min(RETRY_BASE_MS * 2 ** attemptNo, 2_000) * Math.random());
    }
    acknowledged.abandoned += 1;
    throw new CallFailed(`${endpoint}: no final answer after ${options.maxAttempts} attempts`);
  }

  /** Follows a 202 to the saga's final answer. */
  async function settle(answer: Answer, headers: Record<string, string>, finalStatuses: number[], tally: Tally) {
    let current = answer;
    while (current.status === 202) {
      await sleep(100);
      const polled = await attempt('saga status', 'GET', String(current.body['statusUrl']), undefined, headers, tally);
      if (polled !== undefined && (polled.status === 202 || finalStatuses.includes(polled.status))) current = polled;
    }
    return current;
  }

  async function saga(
    name: SagaName,
    path: string,
    body: unknown,
    finalStatuses: number[],
    headers: Record<string, string>,
  ): Promise<Answer> {
    const idempotencyKey = randomUUID();
    const keyed = { ...headers, 'idempotency-key': idempotencyKey };
    const started = performance.now();
    const sample: SagaSample = { saga: name, startedAt: Date.now(), ms: 0, outcome: 'failed', faults: 0 };
    const endpoint = name === 'order' ? 'create_order' : 'register_client';
    try {
      const first = await call(endpoint, path, body, finalStatuses, keyed, sample);
      const answer = await settle(first, keyed, finalStatuses, sample);
      sample.outcome = answer.status === 200 ? 'completed' : 'rejected';
      return answer;
    } finally {
      sample.ms = performance.now() - started;
      sagas.push(sample);
    }
  }

  async function virtualUser(user: number): Promise<void> {
    while (Date.now() < deadline) {
      try {
        const suffix = `${user}_${randomUUID().slice(0, 8)}`;
        const password = `bench password ${suffix}`;
        const registration = {
          login: `bench_${suffix}`,
          password,
          firstName: 'Bench',
          lastName: `User ${user}`,
          email: `bench.${suffix}@example.com`,
        };
        const registered = await saga('registration', '/api/client/register_client', registration, [200], {});
        if (registered.status !== 200) continue;
        const clientId = String(registered.body['clientId']);
        acknowledged.clients.push(clientId);

        const login = await call('login', '/api/auth/login', { login: registration.login, password }, [200]);
        const cookie = /session=[^;]+/.exec(String(login.headers['set-cookie'] ?? ''))?.[0];
        if (cookie === undefined) throw new CallFailed('login: no session cookie');
        const session = { cookie };

        const depositKey = randomUUID();
        await call('deposit', '/api/billing/deposit', { sum: options.depositSum }, [200], {
          ...session,
          'idempotency-key': depositKey,
        });
        acknowledged.deposits.push({ clientId, sum: options.depositSum, idempotencyKey: depositKey });

        let balance = options.depositSum;
        for (let placed = 0; placed < options.ordersPerClient && Date.now() < deadline; placed += 1) {
          const unaffordable = isUnaffordable(placed, options.unaffordableShare);
          const sum = unaffordable ? balance + 1 + Math.floor(Math.random() * 100) : 1 + Math.floor(Math.random() * 20);
          const answer = await saga('order', '/api/order/create_order', { sum }, [200, 402], session);
          const orderId = String(answer.body['orderId']);
          if (answer.status === 200) balance -= sum;
          acknowledged.orders.push({
            clientId,
            orderId,
            sum,
            status: answer.status === 200 ? 'CONFIRMED' : 'REJECTED',
          });
        }
      } catch (error) {
        if (!(error instanceof CallFailed)) throw error;
        // The user starts over as a new client; the failure is already in the samples.
      }
    }
  }

  const progress = setInterval(() => {
    options.onProgress?.({
      elapsedS: (Date.now() - startedAt) / 1000,
      durationS: options.durationS,
      sagas: {
        registration: sagas.filter((s) => s.saga === 'registration' && s.outcome !== 'failed').length,
        order: sagas.filter((s) => s.saga === 'order' && s.outcome !== 'failed').length,
      },
      faults: calls.filter((c) => c.fault !== undefined).length,
      inFlight,
    });
  }, 1_000);
  try {
    await Promise.all(Array.from({ length: options.users }, (_, user) => virtualUser(user)));
  } finally {
    clearInterval(progress);
    await dispatcher.close();
  }
  return { startedAt, elapsedMs: Date.now() - startedAt, calls, sagas, acknowledged };
}
