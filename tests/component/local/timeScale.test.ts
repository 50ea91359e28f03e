import {
  GetExecutionHistoryCommand,
  StartExecutionCommand,
  type HistoryEvent,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { startStepFunctionsEndpoint, type StepFunctionsEndpoint } from '../../../local/stepfunctions/protocol';
import { retrySchedule, scaleDefinition } from '../../../local/stepfunctions/timeScale';
import { uniqueSuffix } from '../../support/api';
import { declaredFunctionTimeoutSeconds, loadDefinition } from '../../support/definitions';
import { sfnClient, startFakeLambda, unitTestPort, type FakeLambda } from '../../support/fakeLambda';
import { ORDER_SAGA, orderScenarios, SAGA_MACHINES, waitForExecution } from '../../support/sagaScenarios';

const fn = (name: string) => `shop-offline-${name}`;
const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

describe('Time scale: the definition the interpreter runs', () => {
  const order = loadDefinition('order.asl.json');
  const lockSeconds = declaredFunctionTimeoutSeconds();

  it('scales every retry interval and cap, keeping attempts, backoff and jitter', () => {
    const scaled = scaleDefinition(copy(order), 0.01, lockSeconds);

    const transient = (definition: any) => definition.States.ConfirmOrder.Retry[2];
    expect(transient(scaled)).toEqual({
      ...transient(order),
      IntervalSeconds: transient(order).IntervalSeconds * 0.01,
      MaxDelaySeconds: transient(order).MaxDelaySeconds * 0.01,
    });
    expect(retrySchedule(transient(scaled))).toBeCloseTo(retrySchedule(transient(order)) * 0.01);
  });

  it('scales a Wait state of fixed seconds', () => {
    const definition = { StartAt: 'Pause', States: { Pause: { Type: 'Wait', Seconds: 60, End: true } } };

    expect(scaleDefinition(copy(definition), 0.01, lockSeconds).States).toEqual({
      Pause: { Type: 'Wait', Seconds: 0.6, End: true },
    });
  });

  it.each([1, 0.5, 0.01, 0.0001])(
    'keeps every RequestInProgress retrier waiting twice the function timeout at scale %p',
    (scale) => {
      for (const file of ['order.asl.json', 'registration.asl.json']) {
        const definition = loadDefinition(file);
        const scaled = scaleDefinition(copy(definition), scale, lockSeconds);
        for (const [name, state] of Object.entries<any>(scaled.States as Record<string, any>)) {
          if (state.Type !== 'Task') continue;
          const retrier = state.Retry.find((r: any) => r.ErrorEquals.includes('RequestInProgress'));
          const written = definition.States[name].Retry.find((r: any) => r.ErrorEquals.includes('RequestInProgress'));
          expect(retrySchedule(retrier)).toBeGreaterThanOrEqual(2 * lockSeconds - 1e-9);
          expect(retrySchedule(retrier)).toBeLessThanOrEqual(retrySchedule(written) + 1e-9);
        }
      }
    },
  );

  it('leaves the definition as written at scale 1', () => {
    expect(scaleDefinition(copy(order), 1, lockSeconds)).toEqual(order);
  });
});

describe('Time scale: executions', () => {
  let lambda: FakeLambda;
  let endpoint: StepFunctionsEndpoint | undefined;
  let sfn: SFNClient | undefined;

  beforeAll(async () => {
    lambda = await startFakeLambda(unitTestPort(54));
  });

  afterEach(async () => {
    await endpoint?.stop();
    sfn?.destroy();
  });

  afterAll(async () => {
    await lambda.stop();
  });

  async function start(timeScale: number, functionTimeoutSeconds: number) {
    endpoint = await startStepFunctionsEndpoint({
      port: unitTestPort(55),
      lambdaEndpoint: lambda.url,
      machines: SAGA_MACHINES,
      timeScale,
      functionTimeoutSeconds,
    });
    sfn = sfnClient(endpoint.url);
  }
  const client = () => sfn!;

  async function runOrder(): Promise<{ status: string; events: HistoryEvent[]; ms: number }> {
    const sfn = client();
    const started = Date.now();
    const { executionArn } = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: ORDER_SAGA,
        name: `scaled-${uniqueSuffix()}`,
        input: JSON.stringify({ orderId: 'o-1', clientId: 'c-1', sum: 30 }),
      }),
    );
    const status = await waitForExecution(sfn, executionArn!);
    const ms = Date.now() - started;
    const { events = [] } = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }));
    return { status, events, ms };
  }

  it('runs a 10-attempt schedule in a fraction of its real time, recording the same history', async () => {
    await start(0.001, 0.01);
    orderScenarios.completed(lambda);
    const failures = Array.from({ length: 10 }, () => ({ throws: 'DependencyFailure' }));
    lambda.script(fn('orderConfirm'), ...failures, { result: { status: 'OK' } });
    const retrier = loadDefinition('order.asl.json').States.ConfirmOrder.Retry[2];

    const { status, events, ms } = await runOrder();

    expect(status).toBe('SUCCEEDED');
    // Up to 181 s at real time (about half of it on average, with full jitter).
    expect(retrySchedule(retrier)).toBe(181);
    expect(ms).toBeLessThan(3_000);
    const first = events.findIndex((event) => event.stateEnteredEventDetails?.name === 'ConfirmOrder');
    const confirm = events.slice(first, first + 1 + 11 * 3 + 1).map((event) => event.type);
    const attempt = ['LambdaFunctionScheduled', 'LambdaFunctionStarted'];
    expect(confirm).toEqual([
      'TaskStateEntered',
      ...Array.from({ length: 10 }, () => [...attempt, 'LambdaFunctionFailed']).flat(),
      ...attempt,
      'LambdaFunctionSucceeded',
      'TaskStateExited',
    ]);
    // Each wait between attempts is within its scaled delay (jitter draws it between 0 and the cap).
    const scheduled = events.filter((event, index) => index > first && event.type === 'LambdaFunctionScheduled');
    const failed = events.filter((event) => event.type === 'LambdaFunctionFailed');
    failed.forEach((failure, k) => {
      const cap = Math.min(retrier.IntervalSeconds * retrier.BackoffRate ** k, retrier.MaxDelaySeconds) * 0.001;
      const waited = (scheduled[k + 1]!.timestamp!.getTime() - failure.timestamp!.getTime()) / 1000;
      expect(waited).toBeGreaterThanOrEqual(0);
      expect(waited).toBeLessThan(cap + 0.1);
    });
  });

  it('outlasts a real idempotency lock however fast the clock runs', async () => {
    // The function timeout, hence the lock, is 1 s of real time: a retrier scaled to 1/10000 would give up
    // after 4 ms; held at twice the lock, it meets the lock's end and succeeds.
    await start(0.0001, 1);
    orderScenarios.completed(lambda);
    const lockedUntil = Date.now() + 1_000;
    const locked = { throws: 'RequestInProgress', message: 'still in progress' };
    lambda.script(fn('billingWithdraw'), locked);
    setTimeout(() => lambda.script(fn('billingWithdraw'), { result: { balance: 70 } }), lockedUntil - Date.now());

    const { status, ms } = await runOrder();

    expect(status).toBe('SUCCEEDED');
    expect(ms).toBeGreaterThanOrEqual(1_000);
  });
});
