import { DescribeExecutionCommand, RedriveExecutionCommand } from '@aws-sdk/client-sfn';
import {
  clearFaults,
  createOrder,
  deposit,
  executionArn,
  injectFault,
  registerAndSignIn,
  stepFunctions,
} from './support/journey';
import { testPorts } from '../support/ports';
import { eventually, FAILED_AFTER_PIVOT, startTestPrometheus, type TestPrometheus } from '../support/prometheus';
import { resourceName } from './support/stack';
import { uniqueSuffix } from '../support/api';

/**
 * A real Prometheus against the tests' local cloud, with monitoring/alerts.yml loaded (its windows shortened to
 * TEST_WINDOW), scraping and evaluating every INTERVAL_SECONDS: a saga that stops after its pivot fires the alert in
 * Prometheus' own API, and the alert resolves once the fault is cleared and the execution redriven to success.
 */
const ports = testPorts();
const EXPECTED = `${FAILED_AFTER_PIVOT.alert}/${FAILED_AFTER_PIVOT.saga}`;
let prometheus: TestPrometheus;

beforeAll(async () => {
  prometheus = await startTestPrometheus(ports.dynamodb + 4, ports.stepFunctions);
});

afterAll(async () => {
  await clearFaults();
  await prometheus?.stop();
});

describe('Alerting on the local cloud (Prometheus with monitoring/alerts.yml)', () => {
  it('fires when a saga stops after its pivot, and resolves once the fault is cleared and the saga redriven', async () => {
    const client = await registerAndSignIn();
    await deposit(client, 20);
    // Let Prometheus see the gauge at rest first.
    await prometheus.scraping();
    expect(await prometheus.firing()).not.toContain(EXPECTED);
    const { functionName, error } = FAILED_AFTER_PIVOT.fault;
    await injectFault({ functionName: resourceName(functionName), error, times: 1 });
    const key = `alerting-${uniqueSuffix()}`;
    const arn = executionArn('orderSaga', `${client.clientId}_${key}`);

    expect((await createOrder(client, 10, key)).status).toBe(202);

    const { status, error: ending } = await stepFunctions().send(new DescribeExecutionCommand({ executionArn: arn }));
    expect({ status, ending }).toEqual({ status: 'FAILED', ending: FAILED_AFTER_PIVOT.ending });
    expect(
      await eventually(prometheus.firing, (alerts) => alerts.includes(EXPECTED), 30_000, prometheus.targets),
    ).toContain(EXPECTED);

    await clearFaults();
    await stepFunctions().send(new RedriveExecutionCommand({ executionArn: arn }));
    const redriven = await eventually(
      () => stepFunctions().send(new DescribeExecutionCommand({ executionArn: arn })),
      (execution) => execution.status !== 'RUNNING',
      10_000,
    );
    expect(redriven).toMatchObject({ status: 'SUCCEEDED', redriveCount: 1 });
    expect((await createOrder(client, 10, key)).body).toMatchObject({ status: 'CONFIRMED' });

    // It resolves at the next evaluation after the redrive (the gauge is back at 0), not a window later.
    expect(await eventually(prometheus.firing, (alerts) => !alerts.includes(EXPECTED), 30_000)).not.toContain(EXPECTED);
  }, 180_000);
});
