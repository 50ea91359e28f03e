import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request } from 'undici';
import {
  CLIENT_ENDS,
  SUCCESS_ENDS,
  WAITING_FOR_REDRIVE,
  readSagaAnswer,
  type ClientEnd,
  type Reading,
  type RedriveProbe,
  type SagaEnd,
  type SagaName,
} from './sagaEnds';

/**
 * Virtual users driving the public API the way a shop's clients do: each registers, signs in, deposits, then
 * places a stream of orders, some of which it cannot afford, and starts again as a new client. Every
 * state-changing call carries an Idempotency-Key and is retried with the same key when the answer is lost or
 * is a fault (5xx, 409 "in progress", a timeout), as a well-behaved client would; every attempt is sampled.
 * Every saga ends for its client: at one of the saga's own ends (bench/sagaEnds.ts: a final answer, or waiting
 * for a redrive, which `waitsForRedrive` tells from a running saga), or, bounded, at one of the client's (it gave
 * up after `maxAttempts` faults in a row, or stopped polling after `settleTimeoutMs`).
 */

export type Endpoint = 'register_client' | 'login' | 'deposit' | 'create_order' | 'saga status';
export const ENDPOINTS: Endpoint[] = ['register_client', 'login', 'deposit', 'create_order', 'saga status'];
export type { SagaName };

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
  /** Fault answers in a row before the user gives up on a call or a saga (each is retried with the same key). */
  maxAttempts: number;
  requestTimeoutMs: number;
  /**
   * How long a client follows a saga answered with 202 before it stops asking (the saga is then `unsettled`:
   * a post-pivot step can retry for many minutes, and the run's drain waits for it, not the client).
   */
  settleTimeoutMs: number;
  /**
   * Tells a saga that stopped and waits for a redrive from one still running (both answer 202): asked of a
   * saga that has been pending for a while, it ends the client's polling at `waitingForRedrive`. Without it
   * such a saga is followed until `settleTimeoutMs` and ends `unsettled`.
   */
  waitsForRedrive?: RedriveProbe;
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
  settleTimeoutMs: 120_000,
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
  /** How it ended for its client: an end of the saga's own, or one of the client's (it never heard one). */
  end: SagaEnd | ClientEnd;
  /**
   * `completed`: the saga succeeded; `rejected`: it reached another final end of its own (refused,
   * compensated), a final answer all the same; `waiting`: it stopped and waits for a redrive (nothing final
   * told); `failed`: its client heard no end (`CLIENT_ENDS`).
   */
  outcome: 'completed' | 'rejected' | 'waiting' | 'failed';
  /** Attempts on the way that were faults (each one retried with the same key). */
  faults: number;
}

/** What clients were told, so the data can be checked against it afterwards. */
export interface Acknowledgements {
  clients: string[];
  deposits: { clientId: string; sum: number; idempotencyKey: string }[];
  /**
   * Orders with a final answer about their order record: CONFIRMED (200), REJECTED (402: refused, the order
   * is stored REJECTED) or NOT_PLACED (422: the order is REJECTED, or was never written). An order waiting
   * for a redrive (202) is told nothing final about its record, so it is not listed.
   */
  orders: { clientId: string; orderId: string; sum: number; status: 'CONFIRMED' | 'REJECTED' | 'NOT_PLACED' }[];
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
  /** Sagas that reached a final end of their own, by saga. */
  ended: Record<SagaName, number>;
  /** Sagas that stopped and wait for a redrive (their client stopped following them). */
  waitingForRedrive: number;
  /** Sagas whose client stopped without hearing an end (abandoned, unsettled, unexpected). */
  unended: number;
  /** Attempts whose answer was a fault (each retried). */
  faults: number;
  /** Sagas started and not yet ended for their client, waiting on a request or between polls. */
  sagasInFlight: number;
  /** HTTP requests awaiting their answer. */
  requestsInFlight: number;
}

interface Answer {
  status: number;
  /** Undefined when the answer was not JSON. */
  body: Record<string, unknown> | undefined;
  headers: Record<string, string | string[] | undefined>;
}

/** A call or saga the user gives up on; the failure is already in the samples. */
class CallFailed extends Error {
  override readonly name = 'CallFailed';

  constructor(
    readonly end: ClientEnd,
    message: string,
  ) {
    super(message);
  }
}

const RETRY_BASE_MS = 50;
/** Polls of a status URL back off from the first to the last. */
const POLL_FIRST_MS = 100;
const POLL_MAX_MS = 1_000;

/** Whether a client's order number `placed` (from 0) is one it cannot afford: `share` of them, evenly spread. */
export function isUnaffordable(placed: number, share: number): boolean {
  return Math.floor((placed + 1) * share + 0.5) > Math.floor(placed * share + 0.5);
}

/** The outcome figure of a saga's end (see SagaSample.outcome). */
export function outcomeOf(end: SagaEnd | ClientEnd): SagaSample['outcome'] {
  if ((SUCCESS_ENDS as readonly string[]).includes(end)) return 'completed';
  if (end === WAITING_FOR_REDRIVE) return 'waiting';
  return (Object.values(CLIENT_ENDS) as string[]).includes(end) ? 'failed' : 'rejected';
}

const backoff = (attemptNo: number) => sleep(Math.min(RETRY_BASE_MS * 2 ** attemptNo, 2_000) * Math.random());

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
  let requestsInFlight = 0;
  let sagasInFlight = 0;

  /** Counts the faults of the attempts made on behalf of one saga. */
  type Tally = { faults: number };

  /**
   * One HTTP attempt; `faultOf` says whether its answer is a fault (to retry). Undefined when the answer
   * was lost (refused, reset, timed out): a fault too.
   */
  async function attempt(
    endpoint: Endpoint,
    method: 'GET' | 'POST',
    path: string,
    body: unknown,
    headers: Record<string, string>,
    faultOf: (answer: Answer) => string | undefined,
    tally?: Tally,
  ): Promise<Answer | undefined> {
    const started = performance.now();
    const sample: CallSample = { endpoint, startedAt: Date.now(), ms: 0, status: 0 };
    requestsInFlight += 1;
    try {
      const response = await request(`${options.baseUrl}${path}`, {
        method,
        dispatcher,
        headers: { 'content-type': 'application/json', ...headers },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await response.body.text();
      sample.status = response.statusCode;
      let parsed: Record<string, unknown> | undefined;
      try {
        parsed = JSON.parse(text) as Record<string, unknown>;
      } catch {
        parsed = undefined;
      }
      const answer: Answer = { status: response.statusCode, body: parsed, headers: response.headers };
      const fault = faultOf(answer);
      if (fault !== undefined) sample.fault = fault;
      return answer;
    } catch (error) {
      sample.fault = `lost: ${(error as Error).message}`;
      return undefined;
    } finally {
      requestsInFlight -= 1;
      sample.ms = performance.now() - started;
      calls.push(sample);
      if (sample.fault !== undefined && tally !== undefined) tally.faults += 1;
    }
  }

  /** A plain call (login, deposit): sent until one of `finalStatuses`, faults retried with the same key. */
  async function call(
    endpoint: Endpoint,
    path: string,
    body: unknown,
    finalStatuses: number[],
    headers: Record<string, string> = {},
  ): Promise<Answer & { body: Record<string, unknown> }> {
    const faultOf = ({ status, body: parsed }: Answer) =>
      parsed === undefined
        ? `unparsable answer (${status})`
        : status >= 500 || status === 409
          ? `${status} ${String(parsed['error'] ?? parsed['message'] ?? '')}`.trim()
          : undefined;
    for (let attemptNo = 1; attemptNo <= options.maxAttempts; attemptNo += 1) {
      const answer = await attempt(endpoint, 'POST', path, body, headers, faultOf);
      if (answer?.body !== undefined && finalStatuses.includes(answer.status)) return { ...answer, body: answer.body };
      if (answer !== undefined && faultOf(answer) === undefined) {
        throw new CallFailed(
          CLIENT_ENDS.unexpected,
          `${endpoint}: unexpected ${answer.status} ${JSON.stringify(answer.body)}`,
        );
      }
      await backoff(attemptNo);
    }
    acknowledged.abandoned += 1;
    throw new CallFailed(CLIENT_ENDS.abandoned, `${endpoint}: no final answer after ${options.maxAttempts} attempts`);
  }

  /**
   * A saga as its client follows it: the POST until it is taken (a final answer or a 202), then its status URL
   * until the saga's end, each fault retried (the POST with the same key). Ends for the client without an end
   * of the saga's after `maxAttempts` faults in a row, or when `settleTimeoutMs` has passed since the 202.
   */
  async function saga(
    name: SagaName,
    path: string,
    body: unknown,
    headers: Record<string, string>,
  ): Promise<{ end: SagaEnd; body: Record<string, unknown> } | undefined> {
    const keyed = { ...headers, 'idempotency-key': randomUUID() };
    const started = performance.now();
    const sample: SagaSample = {
      saga: name,
      startedAt: Date.now(),
      ms: 0,
      end: 'abandoned',
      outcome: 'failed',
      faults: 0,
    };
    const endpoint = name === 'order' ? 'create_order' : 'register_client';
    const readAnswer = (answer: Answer | undefined): Reading =>
      answer === undefined ? { kind: 'fault', reason: 'lost' } : readSagaAnswer(name, answer.status, answer.body);
    const faultOf = (answer: Answer) => {
      const reading = readAnswer(answer);
      return reading.kind === 'fault' ? reading.reason : undefined;
    };
    sagasInFlight += 1;
    try {
      let method: 'GET' | 'POST' = 'POST';
      let url = path;
      let settleBy = Number.POSITIVE_INFINITY;
      let faultsInARow = 0;
      let pollDelay = POLL_FIRST_MS;
      for (;;) {
        const posting = method === 'POST';
        const answer = await attempt(
          posting ? endpoint : 'saga status',
          method,
          url,
          posting ? body : undefined,
          keyed,
          faultOf,
          sample,
        );
        const read = readAnswer(answer);
        if (read.kind === 'final') {
          sample.end = read.end;
          return { end: read.end, body: answer?.body ?? {} };
        }
        if (read.kind === 'unexpected') throw new CallFailed(CLIENT_ENDS.unexpected, `${endpoint}: ${read.reason}`);
        if (read.kind === 'pending') {
          faultsInARow = 0;
          if (method === 'POST') settleBy = Date.now() + options.settleTimeoutMs;
          method = 'GET';
          url = read.statusUrl;
          // Pending for a while (the polls have backed off to their longest): stopped, or still running?
          const executionArn = answer?.body?.['executionArn'];
          if (pollDelay >= POLL_MAX_MS && typeof executionArn === 'string' && options.waitsForRedrive) {
            if (await options.waitsForRedrive(executionArn).catch(() => false)) {
              sample.end = WAITING_FOR_REDRIVE;
              return { end: WAITING_FOR_REDRIVE, body: answer?.body ?? {} };
            }
          }
        } else {
          faultsInARow += 1;
          if (faultsInARow >= options.maxAttempts) {
            acknowledged.abandoned += 1;
            throw new CallFailed(CLIENT_ENDS.abandoned, `${endpoint}: ${faultsInARow} faults in a row`);
          }
        }
        if (Date.now() >= settleBy) throw new CallFailed(CLIENT_ENDS.unsettled, `${endpoint}: still running`);
        if (method === 'POST') await backoff(faultsInARow);
        else {
          await sleep(Math.min(pollDelay, Math.max(0, settleBy - Date.now())));
          pollDelay = Math.min(pollDelay * 2, POLL_MAX_MS);
        }
      }
    } catch (error) {
      if (error instanceof CallFailed) sample.end = error.end;
      throw error;
    } finally {
      sagasInFlight -= 1;
      sample.outcome = outcomeOf(sample.end);
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
        const registered = await saga('registration', '/api/client/register_client', registration, {});
        if (registered?.end !== 'registered') continue;
        const clientId = String(registered.body['clientId']);
        acknowledged.clients.push(clientId);

        const login = await call('login', '/api/auth/login', { login: registration.login, password }, [200]);
        const cookie = /session=[^;]+/.exec(String(login.headers['set-cookie'] ?? ''))?.[0];
        if (cookie === undefined) throw new CallFailed(CLIENT_ENDS.unexpected, 'login: no session cookie');
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
          const answer = await saga('order', '/api/order/create_order', { sum }, session);
          const told = answer === undefined ? undefined : TOLD[answer.end];
          if (answer === undefined || told === undefined) {
            // Paid or not, nobody knows yet (it waits for a redrive, or was given up): the balance is unknown,
            // so the client starts over.
            break;
          }
          if (told === 'CONFIRMED') balance -= sum;
          acknowledged.orders.push({ clientId, orderId: String(answer.body['orderId']), sum, status: told });
        }
      } catch (error) {
        if (!(error instanceof CallFailed)) throw error;
        // The user starts over as a new client; the failure is already in the samples.
      }
    }
  }

  const progress = setInterval(() => {
    const ended = (name: SagaName) =>
      sagas.filter((s) => s.saga === name && (s.outcome === 'completed' || s.outcome === 'rejected')).length;
    options.onProgress?.({
      elapsedS: (Date.now() - startedAt) / 1000,
      durationS: options.durationS,
      ended: { registration: ended('registration'), order: ended('order') },
      waitingForRedrive: sagas.filter((s) => s.outcome === 'waiting').length,
      unended: sagas.filter((s) => s.outcome === 'failed').length,
      faults: calls.filter((c) => c.fault !== undefined).length,
      sagasInFlight,
      requestsInFlight,
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

/**
 * The part of a load from `from` (a Date.now() time) on: the calls and sagas it started, over the time from
 * `from` to the load's end. A warm-up and a measured window can so be one load whose users go on: the window
 * starts in the mix's steady state (users registered long ago, others registering as they do in it).
 */
export function loadSince(load: LoadResult, from: number): LoadResult {
  return {
    ...load,
    startedAt: from,
    elapsedMs: load.startedAt + load.elapsedMs - from,
    calls: load.calls.filter((call) => call.startedAt >= from),
    sagas: load.sagas.filter((saga) => saga.startedAt >= from),
  };
}

/** What an order's end tells its client about the order record (Acknowledgements.orders). */
const TOLD: Partial<Record<SagaEnd, Acknowledgements['orders'][number]['status']>> = {
  confirmed: 'CONFIRMED',
  insufficientFunds: 'REJECTED',
  orderFailed: 'NOT_PLACED',
};
