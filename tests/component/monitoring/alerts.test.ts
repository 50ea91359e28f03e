import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUSINESS_ERROR_NAMES } from '../../../lib/common/errors';
import { ORDER_SAGA_REFUSALS } from '../../../lib/sagas/orderSaga';
import { REGISTRATION_SAGA_REFUSALS } from '../../../lib/sagas/registrationSaga';
import { LocalMetrics } from '../../../local/metrics';
import { parsePrometheusText, total } from '../../../local/prometheusText';
import { WAITING_FOR_REDRIVE } from '../../../monitoring/watched';
import { SAGA_MACHINES } from '../../support/sagaScenarios';

/** Prometheus' own tool checks the alerting rules and runs their unit tests (Debian's `prometheus` package). */
const MONITORING = join(__dirname, '..', '..', '..', 'monitoring');
const promtool = (...args: string[]) => spawnSync('promtool', args, { cwd: MONITORING, encoding: 'utf8' });

describe('Prometheus alerting rules (monitoring/alerts.yml)', () => {
  it('pass promtool check rules', () => {
    const result = promtool('check', 'rules', 'alerts.yml');

    expect(result.error).toBeUndefined();
    expect(`${result.stdout}${result.stderr}`).toContain('SUCCESS: 6 rules found');
    expect(result.status).toBe(0);
  });

  it('exclude from FunctionErrors exactly the business errors of lib/common/errors.ts', () => {
    const rules = readFileSync(join(MONITORING, 'alerts.yml'), 'utf8');
    const excluded = /lambda_errors_total\{error!~"([^"]+)"\}/.exec(rules)?.[1]?.split('|');

    expect(excluded?.sort()).toEqual([...BUSINESS_ERROR_NAMES].sort());
  });

  it("keep exactly the sagas' answers (their Fail states' errors) out of SagaWaitingForRedrive", async () => {
    const rules = readFileSync(join(MONITORING, 'alerts.yml'), 'utf8');
    const rule = rules.slice(rules.indexOf('alert: SagaWaitingForRedrive'));
    const metrics = new LocalMetrics();
    metrics.expectMachines(SAGA_MACHINES);
    const close = (saga: string, error: string) =>
      metrics.observeExecution({
        executionArn: `arn:aws:states:us-east-1:000000000000:execution:shop-offline-${saga}:${error}`,
        stateMachineArn: `arn:aws:states:us-east-1:000000000000:stateMachine:shop-offline-${saga}`,
        machineName: `shop-offline-${saga}`,
        name: error,
        status: 'FAILED',
        error,
        startDate: 0,
        stopDate: 1,
        input: '{}',
        history: [],
      });
    const waiting = async (saga: string) =>
      total(parsePrometheusText(await metrics.registry.metrics()), WAITING_FOR_REDRIVE, { saga });

    // The rule reads the gauge, and the gauge leaves out the errors of the Fail states, which are these lists.
    expect(/expr: (.*)/.exec(rule)?.[1]).toBe(`max by (saga) (${WAITING_FOR_REDRIVE}) > 0`);
    for (const error of REGISTRATION_SAGA_REFUSALS) close('registrationSaga', error);
    for (const error of ORDER_SAGA_REFUSALS) close('orderSaga', error);
    expect([await waiting('registrationSaga'), await waiting('orderSaga')]).toEqual([0, 0]);
    close('registrationSaga', 'Lambda.ServiceException');
    close('orderSaga', 'InvalidTransition');
    expect([await waiting('registrationSaga'), await waiting('orderSaga')]).toEqual([1, 1]);
  });

  it('fire as monitoring/alerts.test.yml expects (promtool test rules)', () => {
    const result = promtool('test', 'rules', 'alerts.test.yml');

    expect(`${result.stdout}${result.stderr}`).toContain('SUCCESS');
    expect(result.status).toBe(0);
  });
});
