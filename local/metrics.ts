import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { INJECTED_FAULT_MESSAGE } from './faults/settings';
import { WAITING_FOR_REDRIVE } from '../monitoring/watched';
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

/** The errors of a machine's Fail states: the saga's final refusals (ORDER_SAGA_REFUSALS, REGISTRATION_SAGA_REFUSALS). */
const failErrors = (machine: MachineDefinition) =>
  Object.values((machine.definition['States'] ?? {}) as Record<string, { Type?: string; Error?: string }>)
    .filter((state) => state.Type === 'Fail')
    .map((state) => state.Error ?? '');

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

  /**
   * Executions stopped at a step that kept failing (FAILED with an error that is not one of the saga's Fail
   * states, TIMED_OUT or ABORTED), by saga: what SagaWaitingForRedrive watches. Not saga_executions_total: a
   * redrivable failure's error is whatever the Task threw (Lambda.ServiceException, InvalidTransition, …), so its
   * series is born at 1, and Prometheus' increase() sees a series only from its second sample: the first failure
   * of each error would never fire. Not a counter of stops per saga either (which could start at 0): a gauge
   * also says when the wait is over, so the alert resolves when the execution is redriven, not a window later.
   * It exists at 0 per saga from the start (expectMachines), rises when such an execution closes and falls
   * when a redrive of it closes as a success or a refusal. (An execution past AWS's 14 days to redrive stays
   * counted until the next start.)
   */
  private readonly waitingForRedrive = new Gauge({
    name: WAITING_FOR_REDRIVE,
    help: 'Saga executions stopped at a step that kept failing, waiting for a redrive',
    labelNames: ['saga'],
    registers: [this.registry],
  });

  /** The executions counted in waitingForRedrive, by ARN, with their saga. */
  private readonly waiting = new Map<string, string>();

  /** The errors of each saga's Fail states: its final refusals, which wait for no one. */
  private readonly refusals = new Map<string, string[]>();

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
    help: 'Faults injected into the functions in a chaos run (local/faults/functionFaults.ts), by function and kind',
    labelNames: ['function', 'kind'],
    registers: [this.registry],
  });

  /**
   * Every way each machine can end with a refusal (its Fail states) starts at 0, and so does its count of
   * executions waiting for a redrive: Prometheus' increase() sees a series only from its second sample, so
   * a series born at 1 would hide its first increase.
   */
  expectMachines(machines: MachineDefinition[]): void {
    for (const machine of machines) {
      const saga = sagaName(machine.name);
      const refusals = failErrors(machine);
      this.refusals.set(saga, refusals);
      this.waitingForRedrive.set({ saga }, 0);
      this.sagaExecutions.inc({ saga, status: 'SUCCEEDED', error: '' }, 0);
      for (const error of refusals) this.sagaExecutions.inc({ saga, status: 'FAILED', error }, 0);
    }
  }

  /** Stopped for a reason other than one of the saga's refusals: it waits for a redrive. */
  private waitsForRedrive(saga: string, record: ExecutionRecord): boolean {
    if (record.status === 'TIMED_OUT' || record.status === 'ABORTED') return true;
    return record.status === 'FAILED' && !(this.refusals.get(saga) ?? []).includes(record.error ?? '');
  }

  /** A closed execution a previous run kept, which may still be redriven: counted only if it waits. */
  observeKeptExecution = (record: ExecutionRecord): void => {
    this.countWaiting(sagaName(record.machineName), record);
  };

  /** Counted once however often it fails again when redriven; no longer once a redrive of it has ended it. */
  private countWaiting(saga: string, record: ExecutionRecord): void {
    if (this.waitsForRedrive(saga, record)) this.waiting.set(record.executionArn, saga);
    else this.waiting.delete(record.executionArn);
    const waiting = [...this.waiting.values()].filter((name) => name === saga).length;
    this.waitingForRedrive.set({ saga }, waiting);
  }

  /** A closed execution of `<service>-<stage>-<saga>`. */
  observeExecution = (record: ExecutionRecord): void => {
    const saga = sagaName(record.machineName);
    this.sagaExecutions.inc({ saga, status: record.status, error: record.error ?? '' });
    this.countWaiting(saga, record);
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
