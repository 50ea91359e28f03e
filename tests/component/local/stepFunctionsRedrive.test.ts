import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { promisify } from 'node:util';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeExecutionCommand,
  ExecutionDoesNotExist,
  ExecutionNotRedrivable,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  RedriveExecutionCommand,
  StopExecutionCommand,
  type HistoryEvent,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { executionsWaitingForRedrive } from '../../../local/console/redrive';
import { readExecution } from '../../../local/console/stepFunctionsReader';
import { formatTrace } from '../../../local/console/traceText';
import { startStepFunctionsEndpoint, type StepFunctionsEndpoint } from '../../../local/stepfunctions/protocol';
import { uniqueSuffix } from '../../support/api';
import { sfnClient, startFakeLambda, unitTestPort, type FakeLambda } from '../../support/fakeLambda';
import { ORDER_SAGA, orderScenarios, SAGA_MACHINES, startOrder, waitForExecution } from '../../support/sagaScenarios';

const fn = (name: string) => `shop-offline-${name}`;
const callsOf = (lambda: FakeLambda, name: string) => lambda.calls.filter((call) => call.functionName === fn(name));
const types = (events: HistoryEvent[]) => events.map((event) => String(event.type));
const entered = (events: HistoryEvent[]) =>
  events.filter((event) => event.type?.endsWith('StateEntered')).map((event) => event.stateEnteredEventDetails!);

async function historyOf(sfn: SFNClient, executionArn: string): Promise<HistoryEvent[]> {
  const { events } = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }));
  return events ?? [];
}

describe('Local Step Functions: RedriveExecution', () => {
  let lambda: FakeLambda;
  let endpoint: StepFunctionsEndpoint;
  let sfn: SFNClient;

  beforeAll(async () => {
    lambda = await startFakeLambda(unitTestPort(50));
    // A thousandth of real time: ConfirmOrder's ten retries (minutes) take a fraction of a second.
    endpoint = await startStepFunctionsEndpoint({
      port: unitTestPort(51),
      lambdaEndpoint: lambda.url,
      machines: SAGA_MACHINES,
      timeScale: 0.001,
      functionTimeoutSeconds: 0.01,
    });
    sfn = sfnClient(endpoint.url);
  });

  beforeEach(() => {
    lambda.calls.length = 0;
  });

  afterAll(async () => {
    lambda.release({ result: null });
    await endpoint.stop();
    await lambda.stop();
    sfn.destroy();
  });

  /** An order saga that fails at ConfirmOrder after all its attempts, the money taken. */
  async function failedAtConfirmOrder(): Promise<string> {
    orderScenarios.completed(lambda);
    lambda.script(fn('orderConfirm'), { throws: 'DependencyFailure', message: 'The orders table is unavailable' });
    const executionArn = await startOrder(sfn, `redrive-${uniqueSuffix()}`);
    expect(await waitForExecution(sfn, executionArn)).toBe('FAILED');
    return executionArn;
  }

  it('fails an order saga at the step after the pivot that kept failing, redrivable', async () => {
    const executionArn = await failedAtConfirmOrder();

    const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));

    expect(execution).toMatchObject({
      status: 'FAILED',
      error: 'DependencyFailure',
      redriveCount: 0,
      redriveStatus: 'REDRIVABLE',
    });
    expect(execution.redriveDate).toBeUndefined();
    expect(execution.redriveStatusReason).toBeUndefined();
    expect(callsOf(lambda, 'orderConfirm')).toHaveLength(11);
    expect(callsOf(lambda, 'orderReject')).toHaveLength(0);
  });

  it('resumes at the failed state with its input, keeps the history and runs no successful step again', async () => {
    const executionArn = await failedAtConfirmOrder();
    const before = await historyOf(sfn, executionArn);
    lambda.calls.length = 0;
    lambda.script(fn('orderConfirm'), { result: { status: 'OK' } });

    const { redriveDate } = await sfn.send(new RedriveExecutionCommand({ executionArn }));

    expect(await waitForExecution(sfn, executionArn)).toBe('SUCCEEDED');
    expect(lambda.calls.map((call) => call.functionName)).toEqual([fn('orderConfirm'), fn('notifyNewOrderCreated')]);
    // The request id is the one the failed attempts had: the service's idempotency makes the rerun safe.
    expect(lambda.calls[0]!.payload).toEqual(callsOf(lambda, 'orderConfirm')[0]!.payload);
    const events = await historyOf(sfn, executionArn);
    expect(events.slice(0, before.length)).toEqual(before);
    const redriven = events[before.length]!;
    expect(redriven).toMatchObject({ type: 'ExecutionRedriven', executionRedrivenEventDetails: { redriveCount: 1 } });
    expect(events.map((event) => event.id)).toEqual(events.map((_, index) => index + 1));
    expect(types(events).filter((type) => type === 'ExecutionStarted')).toHaveLength(1);
    const [failedVisit, redrivenVisit] = entered(events).filter((state) => state.name === 'ConfirmOrder');
    expect(redrivenVisit).toEqual(failedVisit);
    expect(entered(events.slice(before.length)).map((state) => state.name)).toEqual([
      'ConfirmOrder',
      'NotifyOrderCreated',
      'Confirmed',
    ]);
    const timestamps = events.map((event) => event.timestamp!.getTime());
    expect(timestamps).toEqual([...timestamps].sort((a, b) => a - b));
    const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    expect(execution).toMatchObject({
      status: 'SUCCEEDED',
      redriveCount: 1,
      redriveDate,
      redriveStatus: 'NOT_REDRIVABLE',
      redriveStatusReason: 'Execution is SUCCEEDED and cannot be redriven',
    });
    expect(execution.error).toBeUndefined();
    expect(JSON.parse(execution.output!)).toEqual({ orderId: 'o-1', status: 'CONFIRMED' });
  });

  it('traces both visits of the redriven state, with their attempts, and the redrive between them', async () => {
    const executionArn = await failedAtConfirmOrder();
    const waiting = await readExecution(sfn, executionArn);
    lambda.script(fn('orderConfirm'), { result: { status: 'OK' } });
    await sfn.send(new RedriveExecutionCommand({ executionArn }));
    await waitForExecution(sfn, executionArn);

    const { trace, redriveCount, waitsForRedrive } = await readExecution(sfn, executionArn);

    expect(waiting.waitsForRedrive).toBe(true);
    expect([redriveCount, waitsForRedrive]).toEqual([1, false]);
    expect(trace.redrives).toEqual([{ count: 1, at: expect.any(Number) }]);
    expect(trace.failure).toBeUndefined();
    const confirmations = trace.steps.filter((step) => step.name === 'ConfirmOrder');
    expect(confirmations.map((step) => [step.mark, step.attempts, step.retries.length, step.redrive])).toEqual([
      ['failed', 11, 10, undefined],
      ['succeeded', 1, 0, 1],
    ]);
    const text = formatTrace({ machine: 'shop-offline-orderSaga', name: 'x', executionArn }, trace);
    expect(text).toContain('redriven 1×');
    expect(text).toMatch(/⟳ redrive 1 at \S+: resumed at ConfirmOrder/);
    expect(text).toContain('11 attempts');
  });

  it('redrives every execution of a saga that waits, and none that ended with an answer (npm run redrive -- --all)', async () => {
    const waiting = [await failedAtConfirmOrder(), await failedAtConfirmOrder()];
    orderScenarios.compensated(lambda);
    const refused = await startOrder(sfn, `refused-${uniqueSuffix()}`);
    await waitForExecution(sfn, refused);
    expect(await executionsWaitingForRedrive(sfn, ORDER_SAGA)).toEqual(expect.arrayContaining(waiting));
    expect(await executionsWaitingForRedrive(sfn, ORDER_SAGA)).not.toContain(refused);
    orderScenarios.completed(lambda);

    const { stdout } = await promisify(execFile)(
      'node_modules/.bin/tsx',
      ['scripts/redrive.ts', '--all', ORDER_SAGA, '--endpoint', endpoint.url, '--wait', '20'],
      { cwd: join(__dirname, '..', '..', '..') },
    );

    for (const executionArn of waiting) {
      expect(stdout).toContain(`redriven  ${executionArn}`);
      expect(stdout).toContain(`SUCCEEDED ${executionArn}`);
    }
    expect(stdout).not.toContain(refused);
    expect(await executionsWaitingForRedrive(sfn, ORDER_SAGA)).toEqual([]);
    expect(await sfn.send(new DescribeExecutionCommand({ executionArn: refused }))).toMatchObject({
      error: 'InsufficientFunds',
      redriveCount: 0,
    });
  }, 30_000);

  it('answers a repeated client token as the first time, without redriving again', async () => {
    const executionArn = await failedAtConfirmOrder();
    lambda.script(fn('orderConfirm'), { result: { status: 'OK' } });
    const clientToken = `token-${uniqueSuffix()}`;

    const first = await sfn.send(new RedriveExecutionCommand({ executionArn, clientToken }));
    await waitForExecution(sfn, executionArn);
    const second = await sfn.send(new RedriveExecutionCommand({ executionArn, clientToken }));

    expect(second.redriveDate).toEqual(first.redriveDate);
    const events = await historyOf(sfn, executionArn);
    expect(types(events).filter((type) => type === 'ExecutionRedriven')).toHaveLength(1);
    expect(await sfn.send(new DescribeExecutionCommand({ executionArn }))).toMatchObject({
      status: 'SUCCEEDED',
      redriveCount: 1,
    });
  });

  it('refuses a succeeded or running execution with ExecutionNotRedrivable, an unknown one with ExecutionDoesNotExist', async () => {
    orderScenarios.completed(lambda);
    const succeeded = await startOrder(sfn, `done-${uniqueSuffix()}`);
    await waitForExecution(sfn, succeeded);
    orderScenarios.running(lambda);
    const running = await startOrder(sfn, `running-${uniqueSuffix()}`);
    await waitForExecution(sfn, running, () => callsOf(lambda, 'orderConfirm').length > 0);

    const refusals = await Promise.all(
      [succeeded, running, `${succeeded}-unknown`].map((executionArn) =>
        sfn.send(new RedriveExecutionCommand({ executionArn })).catch((error: Error) => error),
      ),
    );

    expect(refusals[0]).toBeInstanceOf(ExecutionNotRedrivable);
    expect(refusals[0]).toMatchObject({ message: 'Execution is SUCCEEDED and cannot be redriven' });
    expect(refusals[1]).toBeInstanceOf(ExecutionNotRedrivable);
    expect(refusals[1]).toMatchObject({ message: 'Execution is RUNNING and cannot be redriven' });
    expect(refusals[2]).toBeInstanceOf(ExecutionDoesNotExist);
    expect(await sfn.send(new DescribeExecutionCommand({ executionArn: running }))).toMatchObject({
      redriveStatus: 'NOT_REDRIVABLE',
      redriveStatusReason: 'Execution is RUNNING and cannot be redriven',
    });
    await sfn.send(new StopExecutionCommand({ executionArn: running }));
  });

  it('redrives an aborted execution at the state it was stopped in', async () => {
    orderScenarios.running(lambda);
    const executionArn = await startOrder(sfn, `stopped-${uniqueSuffix()}`);
    await waitForExecution(sfn, executionArn, () => callsOf(lambda, 'orderConfirm').length > 0);
    await sfn.send(new StopExecutionCommand({ executionArn, error: 'Operator', cause: 'confirmation hangs' }));
    expect(await waitForExecution(sfn, executionArn)).toBe('ABORTED');
    lambda.calls.length = 0;
    lambda.script(fn('orderConfirm'), { result: { status: 'OK' } });

    await sfn.send(new RedriveExecutionCommand({ executionArn }));

    expect(await waitForExecution(sfn, executionArn)).toBe('SUCCEEDED');
    expect(lambda.calls.map((call) => call.functionName)).toEqual([fn('orderConfirm'), fn('notifyNewOrderCreated')]);
  });

  it('lists executions with their redrive count, filtered by whether they were redriven', async () => {
    const redriven = await failedAtConfirmOrder();
    lambda.script(fn('orderConfirm'), { result: { status: 'OK' } });
    await sfn.send(new RedriveExecutionCommand({ executionArn: redriven }));
    await waitForExecution(sfn, redriven);
    const notRedriven = await failedAtConfirmOrder();

    const list = async (redriveFilter?: 'REDRIVEN' | 'NOT_REDRIVEN') =>
      (await sfn.send(new ListExecutionsCommand({ stateMachineArn: ORDER_SAGA, redriveFilter, maxResults: 1000 })))
        .executions ?? [];

    const all = await list();
    expect(all.find((item) => item.executionArn === redriven)).toMatchObject({
      redriveCount: 1,
      redriveDate: expect.any(Date),
    });
    expect(all.find((item) => item.executionArn === notRedriven)).toMatchObject({ redriveCount: 0 });
    expect(all.find((item) => item.executionArn === notRedriven)?.redriveDate).toBeUndefined();
    const onlyRedriven = (await list('REDRIVEN')).map((item) => item.executionArn);
    const onlyNot = (await list('NOT_REDRIVEN')).map((item) => item.executionArn);
    expect(onlyRedriven).toContain(redriven);
    expect(onlyRedriven).not.toContain(notRedriven);
    expect(onlyNot).toContain(notRedriven);
    expect(onlyNot).not.toContain(redriven);
    expect(onlyRedriven.length + onlyNot.length).toBe(all.length);
  });

  it('redrives a compensation that kept failing, which then ends the saga as its refusal', async () => {
    orderScenarios.compensated(lambda);
    lambda.script(fn('orderReject'), { throws: 'DependencyFailure', message: 'unavailable' });
    const executionArn = await startOrder(sfn, `compensation-${uniqueSuffix()}`);
    expect(await waitForExecution(sfn, executionArn)).toBe('FAILED');
    expect((await sfn.send(new DescribeExecutionCommand({ executionArn }))).error).toBe('DependencyFailure');
    lambda.script(fn('orderReject'), { result: { status: 'OK' } });

    await sfn.send(new RedriveExecutionCommand({ executionArn }));

    expect(await waitForExecution(sfn, executionArn)).toBe('FAILED');
    expect(await sfn.send(new DescribeExecutionCommand({ executionArn }))).toMatchObject({
      error: 'InsufficientFunds',
      redriveCount: 1,
    });
    const rejections = callsOf(lambda, 'orderReject').map((call) => call.payload);
    expect(new Set(rejections.map((payload) => JSON.stringify(payload))).size).toBe(1);
    expect(rejections[0]).toEqual({
      requestId: expect.stringMatching(/\/RejectOrder$/),
      input: { orderId: 'o-1', reason: 'InsufficientFunds' },
    });
  });
});

describe('Local Step Functions: a redrive across a restart', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'saga-shop-redrive-'));
  let lambda: FakeLambda;
  let endpoint: StepFunctionsEndpoint | undefined;
  let sfn: SFNClient | undefined;

  const start = async () => {
    endpoint = await startStepFunctionsEndpoint({
      port: unitTestPort(53),
      lambdaEndpoint: lambda.url,
      machines: SAGA_MACHINES,
      dataDir,
      timeScale: 0.001,
      functionTimeoutSeconds: 0.01,
    });
    sfn?.destroy();
    sfn = sfnClient(endpoint.url);
    return sfn;
  };

  beforeAll(async () => {
    lambda = await startFakeLambda(unitTestPort(52));
  });

  afterAll(async () => {
    lambda.release({ result: null });
    await endpoint?.stop();
    await lambda.stop();
    sfn?.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps a redriven execution, and resumes it after a restart at the state it was redriven at', async () => {
    let client = await start();
    orderScenarios.completed(lambda);
    lambda.script(fn('orderConfirm'), { throws: 'DependencyFailure' });
    const executionArn = await startOrder(client, `restart-${uniqueSuffix()}`);
    await waitForExecution(client, executionArn);
    lambda.script(fn('orderConfirm'), { hang: true });
    await client.send(new RedriveExecutionCommand({ executionArn }));
    await waitForExecution(client, executionArn, () => lambda.calls.length === 14);

    await endpoint!.stop();
    lambda.release({ result: { status: 'OK' } });
    lambda.calls.length = 0;
    lambda.script(fn('orderConfirm'), { result: { status: 'OK' } });
    client = await start();

    expect(await waitForExecution(client, executionArn)).toBe('SUCCEEDED');
    expect(lambda.calls.map((call) => call.functionName)).toEqual([fn('orderConfirm'), fn('notifyNewOrderCreated')]);
    const execution = await client.send(new DescribeExecutionCommand({ executionArn }));
    expect(execution).toMatchObject({ redriveCount: 1, redriveDate: expect.any(Date) });
    const events = await historyOf(client, executionArn);
    expect(types(events).filter((type) => type === 'ExecutionRedriven')).toHaveLength(1);
    expect(types(events).filter((type) => type === 'ExecutionStarted')).toHaveLength(1);
  });
});
