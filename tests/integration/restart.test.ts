import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeExecutionCommand, GetExecutionHistoryCommand, SFNClient } from '@aws-sdk/client-sfn';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/config';
import { startLocalCloud, type LocalCloud } from '../../local/localCloud';
import { executionArn, newRegistration } from '../support/journey';
import { testPorts } from '../support/ports';
import { resourceName } from '../support/stack';

/**
 * A second local cloud of its own (data on disk, ports beside the suite's), stopped while an order saga is
 * between retries after its pivot, and started again: the execution must resume and finish, and the
 * money must move once.
 */
const base = testPorts().dynamodb + 20;
const ports = { dynamodb: base, http: base + 1, lambda: base + 2, stepFunctions: base + 3 };
const apiBase = `http://127.0.0.1:${ports.http}`;
const sfn = new SFNClient({
  endpoint: `http://127.0.0.1:${ports.stepFunctions}`,
  region: LOCAL_REGION,
  credentials: {
    accessKeyId: LOCAL_CREDENTIALS.AWS_ACCESS_KEY_ID,
    secretAccessKey: LOCAL_CREDENTIALS.AWS_SECRET_ACCESS_KEY,
  },
});

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${apiBase}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as any };
}

async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`not reached within ${timeoutMs} ms`);
}

describe('Local cloud restart in the middle of a saga', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'saga-shop-restart-'));
  let cloud: LocalCloud | undefined;

  afterAll(async () => {
    await cloud?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('resumes the interrupted execution, which completes with one withdrawal', async () => {
    cloud = await startLocalCloud({ fresh: true, persist: true, dataDir, ports });
    const registration = newRegistration();
    const { body: registered } = await call('POST', '/api/client/register_client', registration);
    const login = await call('POST', '/api/auth/login', { login: registration.login, password: registration.password });
    const cookie = /session=[^;]+/.exec(login.headers.get('set-cookie') ?? '')![0];
    await call('POST', '/api/billing/deposit', { sum: 30 }, { cookie });
    // The confirmation keeps failing, so the saga waits between retries after taking the money.
    await fetch(`http://127.0.0.1:${ports.stepFunctions}/_local/faults`, {
      method: 'POST',
      body: JSON.stringify({ functionName: resourceName('orderConfirm'), error: 'Lambda.ServiceException', times: 8 }),
    });
    const key = 'restart-1';
    const arn = executionArn('orderSaga', `${registered.clientId}_${key}`);
    const pending = call('POST', '/api/order/create_order', { sum: 30 }, { cookie, 'Idempotency-Key': key }).catch(
      () => undefined,
    );
    await waitFor(async () => {
      const history = await sfn.send(new GetExecutionHistoryCommand({ executionArn: arn })).catch(() => undefined);
      return history?.events?.some((event) => event.type === 'LambdaFunctionFailed') ? true : undefined;
    }, 20_000);

    await cloud.stop();
    await pending;
    cloud = await startLocalCloud({ persist: true, dataDir, ports });

    const finished = await waitFor(async () => {
      const execution = await sfn.send(new DescribeExecutionCommand({ executionArn: arn }));
      return execution.status === 'RUNNING' ? undefined : execution;
    }, 30_000);
    expect(finished.status).toBe('SUCCEEDED');
    const me = await call('GET', '/api/me', undefined, { cookie });
    expect(me.body.balance).toBe(0);
    const ledger = await call('GET', `/dev/billingService/billing/${registered.clientId}/transactions`);
    expect(ledger.body.transactions.map((entry: { type: string }) => entry.type)).toEqual(['DEPOSIT', 'WITHDRAWAL']);
    const orders = await call('GET', '/api/orders', undefined, { cookie });
    expect(orders.body.orders).toEqual([expect.objectContaining({ status: 'CONFIRMED', sum: 30 })]);
  }, 120_000);
});
