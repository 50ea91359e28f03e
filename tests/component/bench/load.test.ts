import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULT_LOAD, runLoad, type LoadOptions, type LoadProgress } from '../../../bench/load';
import { SAGA_ENDS, countEnds, readSagaAnswer } from '../../../bench/sagaEnds';

/**
 * The load against a fake shop API (an HTTP server in this process, on a port the OS picks): each saga is
 * answered 202 and its status URL then answers what the test scripts, so every end can be played.
 */
type Script = { status: number; body: Record<string, unknown> };
const ORDER_ENDS: Record<string, Script> = {
  confirmed: { status: 200, body: { success: 'ok', orderId: 'o', status: 'CONFIRMED' } },
  insufficientFunds: { status: 402, body: { error: 'Not enough money', orderId: 'o', status: 'REJECTED' } },
  orderFailed: { status: 422, body: { error: 'The order could not be placed', orderId: 'o', status: 'REJECTED' } },
};
const REGISTRATION_ENDS: Record<string, Script> = {
  registered: { status: 200, body: { clientId: 'c', login: 'l' } },
  notCompleted: { status: 502, body: { error: 'The registration could not be completed' } },
};
const GATEWAY_502: Script = { status: 502, body: { errorMessage: 'Injected fault', errorType: 'Error' } };
const PENDING = (url: string): Script => ({
  status: 202,
  body: { status: 'PENDING', orderId: 'o', executionArn: `arn:${url}`, statusUrl: url },
});

interface FakeApi {
  url: string;
  polls: number;
  close: () => Promise<void>;
}

/** `registration()` and `order()` give the status URL's answer for each new saga (called once per saga). */
async function fakeApi(script: { registration: () => Script[]; order: () => Script[] }): Promise<FakeApi> {
  const sagas = new Map<string, Script[]>();
  let next = 0;
  const api: FakeApi = { url: '', polls: 0, close: async () => undefined };
  const answer = (res: ServerResponse, { status, body }: Script) => {
    res.writeHead(status, {
      'content-type': 'application/json',
      ...(body['login'] === undefined ? {} : { 'set-cookie': 'session=s; HttpOnly' }),
    });
    res.end(JSON.stringify(body));
  };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    req.on('end', () => {
      const path = req.url ?? '';
      if (req.method === 'GET') {
        api.polls += 1;
        const queue = sagas.get(path)!;
        const next = queue.length > 1 ? queue.shift()! : queue[0]!;
        // Still pending: the same status URL again.
        return answer(res, next.status === 202 ? PENDING(path) : next);
      }
      if (path === '/api/auth/login') return answer(res, { status: 200, body: { login: 'l' } });
      if (path === '/api/billing/deposit') return answer(res, { status: 200, body: { balance: 1000 } });
      const saga = path.includes('register') ? 'registration' : 'order';
      const statusUrl = `${path}/${(next += 1)}`;
      sagas.set(statusUrl, script[saga]());
      return answer(res, PENDING(statusUrl));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  api.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  api.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return api;
}

const options = (api: FakeApi, overrides: Partial<LoadOptions> = {}): LoadOptions => ({
  ...DEFAULT_LOAD,
  baseUrl: api.url,
  users: 2,
  durationS: 0.6,
  ordersPerClient: 4,
  maxAttempts: 3,
  settleTimeoutMs: 2_000,
  ...overrides,
});

function cycling(scripts: Script[][]): () => Script[] {
  let turn = 0;
  return () => scripts[turn++ % scripts.length]!;
}

describe('Function: readSagaAnswer', () => {
  it('reads every status a saga endpoint answers for a closed execution as that saga end', () => {
    for (const saga of ['registration', 'order'] as const) {
      for (const [status, end] of Object.entries(SAGA_ENDS[saga])) {
        expect(readSagaAnswer(saga, Number(status), { error: 'why', clientId: 'c' })).toEqual({ kind: 'final', end });
      }
    }
  });

  it('reads a 202 as pending, with the URL to follow', () => {
    expect(readSagaAnswer('order', 202, { statusUrl: '/x' })).toEqual({ kind: 'pending', statusUrl: '/x' });
    expect(readSagaAnswer('order', 202, {})).toMatchObject({ kind: 'unexpected' });
  });

  it('reads a crashed function, any other 5xx, an "in progress" 409 and an unparsable answer as faults', () => {
    expect(readSagaAnswer('order', 502, GATEWAY_502.body)).toEqual({ kind: 'fault', reason: '502 Injected fault' });
    expect(readSagaAnswer('order', 502, { message: 'Internal server error' })).toMatchObject({ kind: 'fault' });
    expect(readSagaAnswer('registration', 500, { error: 'Internal error' })).toMatchObject({ kind: 'fault' });
    expect(readSagaAnswer('order', 409, { error: 'still in progress' })).toMatchObject({ kind: 'fault' });
    expect(readSagaAnswer('order', 200, undefined)).toMatchObject({ kind: 'fault' });
  });

  it('reads a 4xx no saga ends with as unexpected', () => {
    expect(readSagaAnswer('registration', 422, { error: 'x' })).toMatchObject({ kind: 'unexpected' });
    expect(readSagaAnswer('order', 404, { error: 'Order not found' })).toMatchObject({ kind: 'unexpected' });
  });
});

describe('Function: countEnds', () => {
  it('lists every end of the saga, the ones that did not happen as 0', () => {
    expect(countEnds(['confirmed', 'confirmed', 'unsettled'], 'order')).toEqual({
      confirmed: 2,
      insufficientFunds: 0,
      orderFailed: 0,
      waitingForRedrive: 0,
      abandoned: 0,
      unsettled: 1,
      unexpected: 0,
    });
  });
});

describe('Function: runLoad', () => {
  let api: FakeApi | undefined;
  afterEach(async () => {
    await api?.close();
    api = undefined;
  });

  it('ends every saga at the end its status URL answers, none of them a fault, and stops when the load does', async () => {
    api = await fakeApi({
      registration: cycling([[REGISTRATION_ENDS['notCompleted']!], [REGISTRATION_ENDS['registered']!]]),
      order: cycling([[ORDER_ENDS['confirmed']!], [ORDER_ENDS['orderFailed']!], [ORDER_ENDS['insufficientFunds']!]]),
    });
    const started = Date.now();
    // Long enough for a few dozen sagas even on a busy machine: every end comes up within the first ten.
    const result = await runLoad(options(api, { durationS: 2 }));

    expect(Date.now() - started).toBeLessThan(2_000 + 3_000);
    const ends = new Set(result.sagas.map((saga) => saga.end));
    expect([...ends].sort()).toEqual(
      ['confirmed', 'insufficientFunds', 'notCompleted', 'orderFailed', 'registered'].sort(),
    );
    expect(result.calls.filter((call) => call.fault !== undefined)).toEqual([]);
    // Each saga: its POST, then one poll that ends it.
    expect(api.polls).toBe(result.sagas.length);
    const told = new Set(result.acknowledged.orders.map((order) => order.status));
    expect([...told].sort()).toEqual(['CONFIRMED', 'NOT_PLACED', 'REJECTED']);
  });

  it('stops following a saga that stays pending once settleTimeoutMs has passed, and calls it unsettled', async () => {
    api = await fakeApi({ registration: () => [PENDING('still')], order: () => [] });
    const started = Date.now();
    const result = await runLoad(options(api, { users: 1, durationS: 0.1, settleTimeoutMs: 1_500 }));

    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(1_500);
    expect(elapsed).toBeLessThan(3_000);
    expect(result.sagas).toEqual([
      expect.objectContaining({ saga: 'registration', end: 'unsettled', outcome: 'failed' }),
    ]);
    // Backed off from 100 ms to 1 s: about 100 + 200 + 400 + 800 ms, not a poll every 100 ms.
    expect(api.polls).toBeLessThanOrEqual(6);
  });

  it('stops following a saga that waits for a redrive once it has been pending a while, and counts it so', async () => {
    api = await fakeApi({ registration: () => [REGISTRATION_ENDS['registered']!], order: () => [PENDING('stopped')] });
    const asked: string[] = [];
    const started = Date.now();
    const result = await runLoad(
      options(api, {
        users: 1,
        // Long enough for the registration, the login and the deposit, so that one order is placed.
        durationS: 0.4,
        settleTimeoutMs: 10_000,
        waitsForRedrive: async (executionArn) => (asked.push(executionArn), true),
      }),
    );

    // Asked once the polls have backed off to their longest (100 + 200 + 400 + 800 ms), long before the bound.
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(asked.length).toBeGreaterThan(0);
    expect(asked.every((arn) => arn.startsWith('arn:/api/order/create_order/'))).toBe(true);
    const orders = result.sagas.filter((saga) => saga.saga === 'order');
    expect(orders).toEqual([expect.objectContaining({ end: 'waitingForRedrive', outcome: 'waiting' })]);
    // Nothing final was told about that order, and its client started over.
    expect(result.acknowledged.orders).toEqual([]);
  });

  it('gives a saga up after maxAttempts fault answers in a row, each counted as a fault', async () => {
    api = await fakeApi({ registration: () => [GATEWAY_502], order: () => [] });
    const result = await runLoad(options(api, { users: 1, durationS: 0.1, maxAttempts: 3 }));

    expect(result.sagas).toEqual([expect.objectContaining({ end: 'abandoned', outcome: 'failed', faults: 3 })]);
    expect(result.calls.filter((call) => call.fault !== undefined)).toHaveLength(3);
    expect(result.acknowledged.abandoned).toBe(1);
  });

  it('reports progress that counts ended sagas, sagas in flight and fault answers', async () => {
    api = await fakeApi({
      registration: () => [GATEWAY_502, PENDING('still'), REGISTRATION_ENDS['registered']!],
      order: () => [PENDING('still'), PENDING('still'), ORDER_ENDS['confirmed']!],
    });
    const seen: LoadProgress[] = [];
    const result = await runLoad(options(api, { users: 1, durationS: 1.5, onProgress: (p) => seen.push(p) }));

    expect(seen.length).toBeGreaterThan(0);
    // One user: one saga at a time at most is in flight, and one is between polls most of the time.
    for (const p of seen) expect(p.sagasInFlight).toBeLessThanOrEqual(1);
    expect(seen.some((p) => p.sagasInFlight === 1 && p.requestsInFlight === 0)).toBe(true);
    const faults = result.calls.filter((call) => call.fault !== undefined).length;
    const registrations = result.sagas.filter((saga) => saga.saga === 'registration').length;
    // The one gateway 502 of each registration is the only fault answer; a pending 202 is none.
    expect(faults).toBe(registrations);
    const last = seen.at(-1)!;
    expect(last.faults).toBeLessThanOrEqual(faults);
    expect(last.ended.registration + last.ended.order).toBeLessThanOrEqual(result.sagas.length);
    expect(last.unended).toBe(0);
    expect(result.sagas.every((saga) => saga.outcome === 'completed')).toBe(true);
  });
});
