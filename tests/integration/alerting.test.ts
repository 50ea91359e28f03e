import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import {
  clearFaults,
  createOrder,
  deposit,
  executionArn,
  injectFault,
  registerAndSignIn,
  stepFunctions,
} from '../support/journey';
import { testPorts } from '../support/ports';
import { eventually, FAILED_AFTER_PIVOT, startTestPrometheus, type TestPrometheus } from '../support/prometheus';
import { resourceName } from '../support/stack';
import { uniqueSuffix } from '../support/api';

/**
 * A real Prometheus against the tests' local cloud, with monitoring/alerts.yml loaded (its windows shortened to
 * TEST_WINDOW), scraping and evaluating every second: a saga that fails after its pivot fires the alert in
 * Prometheus' own API, and the alert resolves once nothing fails any more.
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
  it('fires when a saga fails after its pivot, and resolves once the fault is cleared', async () => {
    const client = await registerAndSignIn();
    await deposit(client, 20);
    // Let Prometheus see the counters at rest first: an alert is an increase between two scrapes.
    await prometheus.scraping();
    expect(await prometheus.firing()).not.toContain(EXPECTED);
    const { functionName, error } = FAILED_AFTER_PIVOT.fault;
    await injectFault({ functionName: resourceName(functionName), error, times: 1 });
    const key = `alerting-${uniqueSuffix()}`;

    await createOrder(client, 10, key);

    const { status, error: ending } = await stepFunctions().send(
      new DescribeExecutionCommand({ executionArn: executionArn('orderSaga', `${client.clientId}_${key}`) }),
    );
    expect({ status, ending }).toEqual({ status: 'FAILED', ending: FAILED_AFTER_PIVOT.ending });
    expect(
      await eventually(prometheus.firing, (alerts) => alerts.includes(EXPECTED), 30_000, prometheus.targets),
    ).toContain(EXPECTED);

    await clearFaults();
    expect((await createOrder(client, 5)).body).toMatchObject({ status: 'CONFIRMED' });

    // It resolves once the failure has left the rule's window (TEST_WINDOW here; 5 minutes in alerts.yml).
    expect(await eventually(prometheus.firing, (alerts) => !alerts.includes(EXPECTED), 60_000)).not.toContain(EXPECTED);
  }, 180_000);
});
