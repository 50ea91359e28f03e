import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUSINESS_ERROR_NAMES } from '../../../lib/common/errors';
import { ORDER_SAGA_REFUSALS } from '../../../lib/sagas/orderSaga';
import { REGISTRATION_SAGA_REFUSALS } from '../../../lib/sagas/registrationSaga';

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

  it("keep exactly the sagas' answers (their Fail states' errors) out of SagaWaitingForRedrive", () => {
    const rules = readFileSync(join(MONITORING, 'alerts.yml'), 'utf8');
    const rule = rules.slice(rules.indexOf('alert: SagaWaitingForRedrive'));
    const excluded = /error!~"([^"]+)"/.exec(rule)?.[1]?.split('|');

    expect(excluded?.sort()).toEqual([...REGISTRATION_SAGA_REFUSALS, ...ORDER_SAGA_REFUSALS].sort());
  });

  it('fire as monitoring/alerts.test.yml expects (promtool test rules)', () => {
    const result = promtool('test', 'rules', 'alerts.test.yml');

    expect(`${result.stdout}${result.stderr}`).toContain('SUCCESS');
    expect(result.status).toBe(0);
  });
});
