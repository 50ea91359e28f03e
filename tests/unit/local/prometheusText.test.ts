import { Counter, Histogram, Registry } from 'prom-client';
import { parsePrometheusText, total } from '../../../local/prometheusText';

describe('Function: parsePrometheusText', () => {
  it('reads what prom-client writes: counters and labelled histograms, sample by sample', async () => {
    const registry = new Registry();
    const faults = new Counter({
      name: 'injected_faults_total',
      help: 'faults',
      labelNames: ['function', 'kind'],
      registers: [registry],
    });
    const durations = new Histogram({
      name: 'lambda_duration_seconds',
      help: 'durations',
      labelNames: ['function'],
      buckets: [0.1, 1],
      registers: [registry],
    });
    faults.inc({ function: 'billingDeposit', kind: 'error' }, 2);
    faults.inc({ function: 'orderCreate', kind: 'timeout' });
    durations.observe({ function: 'billingDeposit' }, 0.5);
    durations.observe({ function: 'billingDeposit' }, 0.05);
    durations.observe({ function: 'orderCreate' }, 3);

    const samples = parsePrometheusText(await registry.metrics());

    expect(samples).toContainEqual({
      name: 'injected_faults_total',
      labels: { function: 'billingDeposit', kind: 'error' },
      value: 2,
    });
    expect(samples).toContainEqual({
      name: 'lambda_duration_seconds_count',
      labels: { function: 'billingDeposit' },
      value: 2,
    });
    expect(samples).toContainEqual({
      name: 'lambda_duration_seconds_sum',
      labels: { function: 'billingDeposit' },
      value: 0.55,
    });
    expect(samples).toContainEqual({
      name: 'lambda_duration_seconds_bucket',
      labels: { le: '+Inf', function: 'orderCreate' },
      value: 1,
    });
    expect(samples.filter((sample) => sample.name === 'lambda_duration_seconds_bucket')).toHaveLength(6);
  });

  it('unescapes label values and reads special values, timestamps and odd spacing', () => {
    const text = [
      '# HELP odd A metric with everything the format allows',
      '# TYPE odd gauge',
      'odd{path="C:\\\\DIR\\\\FILE.TXT",error="Cannot find file:\\n\\"FILE.TXT\\"",} 1.458255915e9',
      '',
      'odd{ problem = "division by zero" } +Inf -3982045',
      'odd{problem="below"} -Inf',
      'odd{problem="none"} NaN',
      'plain 12.47 1395066363000',
    ].join('\n');

    const samples = parsePrometheusText(text);

    expect(samples.map(({ labels }) => labels)).toEqual([
      { path: 'C:\\DIR\\FILE.TXT', error: 'Cannot find file:\n"FILE.TXT"' },
      { problem: 'division by zero' },
      { problem: 'below' },
      { problem: 'none' },
      {},
    ]);
    expect(samples.map(({ value }) => value)).toEqual([1.458255915e9, Infinity, -Infinity, NaN, 12.47]);
  });

  it('refuses a line that is not a sample rather than reading a wrong figure', () => {
    expect(() => parsePrometheusText('odd{path="unterminated} 1')).toThrow('unterminated label value');
    expect(() => parsePrometheusText('odd{path=unquoted} 1')).toThrow('malformed labels');
    expect(() => parsePrometheusText('odd{a="1" b="2"} 1')).toThrow('malformed labels');
    expect(() => parsePrometheusText('odd 1,5')).toThrow('not a sample value');
    expect(() => parsePrometheusText('{a="1"} 1')).toThrow('not a Prometheus sample');
  });
});

describe('Function: total', () => {
  const samples = parsePrometheusText(
    [
      'injected_faults_total{function="billingDeposit",kind="error"} 2',
      'injected_faults_total{function="orderCreate",kind="error"} 3',
      'injected_faults_total{function="orderCreate",kind="timeout"} 1',
    ].join('\n'),
  );

  it('sums the samples whose labels include the ones asked for', () => {
    expect(total(samples, 'injected_faults_total')).toBe(6);
    expect(total(samples, 'injected_faults_total', { kind: 'error' })).toBe(5);
    expect(total(samples, 'injected_faults_total', { function: 'orderCreate', kind: 'timeout' })).toBe(1);
  });

  it('answers 0 for a series that has not been written yet', () => {
    expect(total(samples, 'injected_faults_total', { function: 'billingWithdraw' })).toBe(0);
    expect(total(samples, 'saga_executions_total')).toBe(0);
  });
});
