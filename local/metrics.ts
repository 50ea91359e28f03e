import { Counter, Histogram, Registry } from 'prom-client';
import { INJECTED_FAULT_MESSAGE } from '../lib/common/faults';
import type { MachineDefinition } from './stepfunctions/machines';
import type { ExecutionRecord } from './stepfunctions/store';

/**
 * The local cloud's figures in Prometheus' text format (GET http://localhost:8083/metrics): the same ones the
 * deployed stack has in CloudWatch. Saga executions come from the Step Functions endpoint; function
 * durations from serverless-offline's `(λ: fn) … Duration: n ms` lines; business events from the
 * functions' own CloudWatch embedded-metric lines, which serverless-offline prints.
 */
/** `shop-offline-orderSaga` → `orderSaga`. */
const sagaName = (machineName: string) => machineName.split('-').at(-1) ?? machineName;

export class LocalMetrics {
  readonly registry = new Registry();

  private readonly sagaDuration = new Histogram({
    name: 'saga_duration_seconds',
    help: 'Duration of finished saga executions',
    labelNames: ['saga', 'status'],
    buckets: [0.05, 0.1, 0.2, 0.3, 0.5, 1, 2, 5, 10, 30, 60, 120, 300],
    registers: [this.registry],
  });

  private readonly sagaExecutions = new Counter({
    name: 'saga_executions_total',
    help: 'Finished saga executions, by status and by the error they ended with',
    labelNames: ['saga', 'status', 'error'],
    registers: [this.registry],
  });

  private readonly functionDuration = new Histogram({
    name: 'lambda_duration_seconds',
    help: 'Duration of function invocations',
    labelNames: ['function'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  private readonly functionErrors = new Counter({
    name: 'lambda_errors_total',
    help: 'Failed Task invocations seen in saga histories, by function and error name',
    labelNames: ['function', 'error'],
    registers: [this.registry],
  });

  private readonly businessEvents = new Counter({
    name: 'shop_business_events_total',
    help: 'Business events the functions record (clients registered, orders confirmed, …)',
    labelNames: ['event', 'service', 'reason'],
    registers: [this.registry],
  });

  private readonly money = new Counter({
    name: 'shop_money_moved_total',
    help: 'Money deposited and withdrawn, in major units',
    labelNames: ['event'],
    registers: [this.registry],
  });

  private readonly injectedFaults = new Counter({
    name: 'injected_faults_total',
    help: 'Faults injected into the functions in a chaos run (lib/common/faults.ts), by function and kind',
    labelNames: ['function', 'kind'],
    registers: [this.registry],
  });

  /**
   * Every way each machine can end starts at 0: Prometheus' increase() sees a series only from its second
   * sample, so the first NeedsAttention of a counter born at 1 would never fire SagaNeedsAttention.
   */
  expectMachines(machines: MachineDefinition[]): void {
    for (const machine of machines) {
      const saga = sagaName(machine.name);
      this.sagaExecutions.inc({ saga, status: 'SUCCEEDED', error: '' }, 0);
      const states = Object.values(
        (machine.definition['States'] ?? {}) as Record<string, { Type?: string; Error?: string }>,
      );
      for (const state of states) {
        if (state.Type === 'Fail') this.sagaExecutions.inc({ saga, status: 'FAILED', error: state.Error ?? '' }, 0);
      }
    }
  }

  /** A closed execution of `<service>-<stage>-<saga>`. */
  observeExecution = (record: ExecutionRecord): void => {
    const saga = sagaName(record.machineName);
    this.sagaExecutions.inc({ saga, status: record.status, error: record.error ?? '' });
    if (record.stopDate !== undefined) {
      this.sagaDuration.observe({ saga, status: record.status }, (record.stopDate - record.startDate) / 1000);
    }
    // A failed call is the function of the LambdaFunctionScheduled event it follows. A redriven execution
    // closes once per run: count only the calls since its last redrive.
    let fn = '';
    const redriven = record.history.findLastIndex((event) => event.type === 'ExecutionRedriven');
    for (const event of record.history.slice(redriven + 1)) {
      const scheduled = event['lambdaFunctionScheduledEventDetails'] as { resource?: string } | undefined;
      if (scheduled?.resource) fn = scheduled.resource.split(':').at(-1)!.split('-').at(-1)!;
      const failed = event['lambdaFunctionFailedEventDetails'] as { error?: string } | undefined;
      if (event.type === 'LambdaFunctionFailed') this.functionErrors.inc({ function: fn, error: failed?.error ?? '' });
    }
  };

  /** One line of serverless-offline's output. */
  observeOfflineLine = (line: string): void => {
    const duration = /\(λ: ([A-Za-z0-9_-]+)\) RequestId: \S+\s+Duration: ([\d.]+) ms/.exec(line);
    if (duration) {
      this.functionDuration.observe({ function: duration[1]! }, Number(duration[2]) / 1000);
      return;
    }
    const start = line.indexOf('{"_aws"');
    if (start >= 0) this.observeEmbeddedMetrics(line.slice(start));
    else if (line.includes(`"message":"${INJECTED_FAULT_MESSAGE}"`)) this.observeInjectedFault(line);
  };

  /** A fault's log line: `{"message":"Injected fault","function_name":"shop-offline-…","fault":{"kind":…}}`. */
  private observeInjectedFault(line: string): void {
    let document: { function_name?: unknown; fault?: { kind?: unknown } };
    try {
      document = JSON.parse(line.slice(line.indexOf('{')));
    } catch {
      return;
    }
    const fn = String(document.function_name ?? '')
      .split('-')
      .at(-1);
    this.injectedFaults.inc({ function: fn ?? '', kind: String(document.fault?.kind ?? '') });
  }

  private observeEmbeddedMetrics(text: string): void {
    let document: Record<string, unknown> & {
      _aws?: { CloudWatchMetrics?: Array<{ Metrics?: Array<{ Name: string }> }> };
    };
    try {
      document = JSON.parse(text);
    } catch {
      return;
    }
    const service = String(document['service'] ?? '');
    const reason = String(document['reason'] ?? '');
    for (const { Name } of document._aws?.CloudWatchMetrics?.flatMap((set) => set.Metrics ?? []) ?? []) {
      const value = Number(document[Name]);
      if (!Number.isFinite(value)) continue;
      if (Name === 'MoneyDeposited' || Name === 'MoneyWithdrawn') this.money.inc({ event: Name }, value);
      else this.businessEvents.inc({ event: Name, service, reason });
    }
  }
}
