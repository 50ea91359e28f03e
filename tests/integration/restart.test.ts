import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  RedriveExecutionCommand,
  SFNClient,
} from '@aws-sdk/client-sfn';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/config';
import { startLocalCloud, type LocalCloud } from '../../local/localCloud';
import { TEST_TIME_SCALE } from './support/globalSetup';
import { executionArn, newRegistration } from './support/journey';
import { TEST_PORT_OFFSETS, testPorts } from '../support/ports';
import { resourceName } from './support/stack';

/**
 * A second local cloud of its own (data on disk, ports beside the suite's, the suite's fast clock), stopped
 * while one order saga is between retries after its pivot and another has failed at its confirmation, and
 * started again: the first must resume and finish, the second be redriven and finish, the money move once each.
 */
const ports = testPorts(TEST_PORT_OFFSETS.restart);
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

  async function closed(arn: string) {
    return waitFor(async () => {
      const execution = await sfn.send(new DescribeExecutionCommand({ executionArn: arn }));
      return execution.status === 'RUNNING' ? undefined : execution;
    }, 30_000);
  }

  const injectFault = (fault: Record<string, unknown>) =>
    fetch(`http://127.0.0.1:${ports.stepFunctions}/_local/faults`, { method: 'POST', body: JSON.stringify(fault) });

  it('resumes the interrupted execution and redrives the failed one, each withdrawing once', async () => {
    const options = { persist: true, dataDir, ports, timeScale: TEST_TIME_SCALE };
    cloud = await startLocalCloud({ ...options, fresh: true });
    const registration = newRegistration();
    const { body: registered } = await call('POST', '/api/client/register_client', registration);
    const login = await call('POST', '/api/auth/login', { login: registration.login, password: registration.password });
    const cookie = /session=[^;]+/.exec(login.headers.get('set-cookie') ?? '')![0];
    await call('POST', '/api/billing/deposit', { sum: 50 }, { cookie });
    const order = (sum: number, key: string) =>
      call('POST', '/api/order/create_order', { sum }, { cookie, 'Idempotency-Key': key });
    // The first saga's confirmation fails on all its attempts: it stops there, the money taken.
    await injectFault({ functionName: resourceName('orderConfirm'), error: 'Lambda.ServiceException', times: 11 });
    const failed = await order(20, 'restart-failed');
    expect(failed.status).toBe(202);
    const failedArn = executionArn('orderSaga', `${registered.clientId}_restart-failed`);
    expect((await sfn.send(new DescribeExecutionCommand({ executionArn: failedArn }))).status).toBe('FAILED');
    // The second's meets an idempotency lock: that retrier waits on real time at any scale, so it is still
    // retrying when the cloud stops.
    await injectFault({ functionName: resourceName('orderConfirm'), error: 'RequestInProgress', times: 100 });
    const interruptedArn = executionArn('orderSaga', `${registered.clientId}_restart-interrupted`);
    const pending = order(30, 'restart-interrupted').catch(() => undefined);
    await waitFor(async () => {
      const history = await sfn
        .send(new GetExecutionHistoryCommand({ executionArn: interruptedArn }))
        .catch(() => undefined);
      return history?.events?.some((event) => event.type === 'LambdaFunctionFailed') ? true : undefined;
    }, 20_000);

    await cloud.stop();
    await pending;
    cloud = await startLocalCloud(options);

    // The whole execution, so that a failure shows its error and cause, not only its status.
    expect(await closed(interruptedArn)).toMatchObject({ status: 'SUCCEEDED' });
    const kept = await sfn.send(new DescribeExecutionCommand({ executionArn: failedArn }));
    expect(kept).toMatchObject({ status: 'FAILED', redriveStatus: 'REDRIVABLE', redriveCount: 0 });
    await sfn.send(new RedriveExecutionCommand({ executionArn: failedArn }));
    expect(await closed(failedArn)).toMatchObject({ status: 'SUCCEEDED', redriveCount: 1 });
    const me = await call('GET', '/api/me', undefined, { cookie });
    expect(me.body.balance).toBe(0);
    const ledger = await call('GET', `/dev/billingService/billing/${registered.clientId}/transactions`);
    expect(ledger.body.transactions.map((entry: { type: string }) => entry.type)).toEqual([
      'DEPOSIT',
      'WITHDRAWAL',
      'WITHDRAWAL',
    ]);
    const orders = await call('GET', '/api/orders', undefined, { cookie });
    expect(orders.body.orders.map((entry: { status: string; sum: number }) => [entry.status, entry.sum])).toEqual([
      ['CONFIRMED', 30],
      ['CONFIRMED', 20],
    ]);
  }, 300_000);
});
