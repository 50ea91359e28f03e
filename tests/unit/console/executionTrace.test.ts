import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { traceExecution, type TraceEvent } from '../../../local/console/executionTrace';
import { formatTrace } from '../../../local/console/traceText';

/** Histories the local endpoint recorded for the order saga (scripts/recordHistories.ts). */
function recorded(name: string) {
  const file = join(__dirname, '../../fixtures/stepfunctions/histories', `order-${name}.json`);
  return JSON.parse(readFileSync(file, 'utf8')) as {
    execution: { status: 'RUNNING' | 'SUCCEEDED' | 'FAILED'; executionArn: string };
    definition: unknown;
    events: TraceEvent[];
  };
}

function marksOf(name: string, now?: number) {
  const { definition, events, execution } = recorded(name);
  const trace = traceExecution(definition, events, execution.status, now);
  const marks = Object.fromEntries(Object.values(trace.states).map((state) => [state.name, state.mark]));
  return { trace, marks };
}

/** An event as GetExecutionHistory answers it, `ms` after a fixed start. */
const event = (id: number, type: string, ms: number, details: Record<string, unknown> = {}): TraceEvent => ({
  id,
  type,
  timestamp: new Date(Date.UTC(2026, 0, 1) + ms),
  ...details,
});

describe('Function: traceExecution', () => {
  it('marks every state of a completed order saga succeeded or not entered', () => {
    const { trace, marks } = marksOf('completed');

    expect(trace.status).toBe('SUCCEEDED');
    expect(trace.steps.map((step) => step.name)).toEqual([
      'CreateOrder',
      'Withdraw',
      'ConfirmOrder',
      'NotifyOrderCreated',
      'Confirmed',
    ]);
    expect(marks).toEqual({
      CreateOrder: 'succeeded',
      Withdraw: 'succeeded',
      ConfirmOrder: 'succeeded',
      NotifyOrderCreated: 'succeeded',
      Confirmed: 'succeeded',
      RejectOrder: 'not-entered',
      OrderRejected: 'not-entered',
      InsufficientFunds: 'not-entered',
      OrderFailed: 'not-entered',
    });
    expect(trace.durationMs).toBeGreaterThanOrEqual(0);
    expect(trace.failure).toBeUndefined();
  });

  it('marks the refused withdrawal caught and the states after it as the compensation path', () => {
    const { trace, marks } = marksOf('compensated');

    expect(marks).toMatchObject({
      CreateOrder: 'succeeded',
      Withdraw: 'caught',
      RejectOrder: 'compensated',
      OrderRejected: 'compensated',
      InsufficientFunds: 'failed',
      ConfirmOrder: 'not-entered',
    });
    const withdraw = trace.states['Withdraw']?.last;
    expect(withdraw?.failure).toMatchObject({ error: 'InsufficientFunds' });
    expect(withdraw?.failure?.cause).toContain('Balance 10 is below 30');
    expect(trace.states['InsufficientFunds']?.last).toMatchObject({ viaCatch: true, outcome: 'failed' });
    expect(trace.failure).toMatchObject({ error: 'InsufficientFunds' });
  });

  it('marks the step that kept failing as where the execution failed, with every attempt', () => {
    const { trace, marks } = marksOf('stoppedAtConfirmation');

    expect(marks).toMatchObject({ Withdraw: 'succeeded', ConfirmOrder: 'failed', NotifyOrderCreated: 'not-entered' });
    const confirm = trace.states['ConfirmOrder']?.last;
    expect([confirm?.attempts, confirm?.retries.length, confirm?.failure?.error]).toEqual([
      11,
      10,
      'DependencyFailure',
    ]);
    expect(trace.failure).toMatchObject({ error: 'DependencyFailure' });
    expect(trace.redrives).toEqual([]);
  });

  it('counts a failed attempt that Retry answered as a retry, with its error', () => {
    const { trace, marks } = marksOf('retried');

    expect(marks['Withdraw']).toBe('retried');
    const withdraw = trace.states['Withdraw'];
    expect(withdraw?.retries).toBe(1);
    expect(withdraw?.last?.attempts).toBe(2);
    expect(withdraw?.last?.retries[0]).toMatchObject({ error: 'TransactionConflict' });
    expect(withdraw?.last?.failure).toBeUndefined();
    expect(marks['ConfirmOrder']).toBe('succeeded');
  });

  it('marks the state a running execution waits in as running, timed until now', () => {
    const { events } = recorded('running');
    const last = Date.parse(String(events.at(-1)?.timestamp));

    const { trace, marks } = marksOf('running', last + 1000);

    expect(trace.status).toBe('RUNNING');
    expect(marks).toMatchObject({ CreateOrder: 'succeeded', Withdraw: 'succeeded', ConfirmOrder: 'running' });
    expect(marks['NotifyOrderCreated']).toBe('not-entered');
    expect(trace.states['ConfirmOrder']?.last?.durationMs).toBeGreaterThanOrEqual(1000);
    expect(trace.stoppedAt).toBeUndefined();
  });

  it('fails the Task whose error no Catch names, with the call error rather than the execution summary', () => {
    const events = [
      event(1, 'ExecutionStarted', 0, { executionStartedEventDetails: { input: '{}' } }),
      event(2, 'TaskStateEntered', 1, { stateEnteredEventDetails: { name: 'Charge', input: '{}' } }),
      event(3, 'TaskScheduled', 2, { taskScheduledEventDetails: { resource: 'invoke' } }),
      event(4, 'TaskFailed', 5, { taskFailedEventDetails: { error: 'Boom', cause: 'c' } }),
      event(5, 'ExecutionFailed', 6, { executionFailedEventDetails: { error: 'Boom' } }),
    ];

    const trace = traceExecution({ States: { Charge: { Type: 'Task' } } }, events, 'FAILED');

    expect(trace.states['Charge']).toMatchObject({ mark: 'failed', visits: 1 });
    expect(trace.states['Charge']?.last?.failure).toMatchObject({ error: 'Boom', cause: 'c' });
    expect(trace.durationMs).toBe(6);
  });

  it('keeps one step per visit of a state entered again, and marks the state by its last visit', () => {
    const visit = (id: number, name: string, type = 'Pass') => [
      event(id, `${type}StateEntered`, id, { stateEnteredEventDetails: { name, input: '{}' } }),
      event(id + 1, `${type}StateExited`, id + 1, { stateExitedEventDetails: { name, output: '{}' } }),
    ];
    const events = [
      event(1, 'ExecutionStarted', 0),
      ...visit(2, 'Poll'),
      ...visit(4, 'Ready', 'Choice'),
      ...visit(6, 'Poll'),
      ...visit(8, 'Ready', 'Choice'),
      event(10, 'ExecutionSucceeded', 10),
    ];

    const trace = traceExecution({ States: { Poll: {}, Ready: {} } }, events, 'SUCCEEDED');

    expect(trace.steps.map((step) => step.name)).toEqual(['Poll', 'Ready', 'Poll', 'Ready']);
    expect(trace.states['Poll']).toMatchObject({ visits: 2, mark: 'succeeded' });
    expect(trace.steps[2]?.eventIds).toEqual([6, 7]);
  });
});

describe('Function: formatTrace', () => {
  it('prints the states taken in order, the caught error and how the execution ended', () => {
    const { definition, events, execution } = recorded('compensated');
    const trace = traceExecution(definition, events, execution.status);

    const text = formatTrace(
      { machine: 'shop-offline-orderSaga', name: 'order-compensated', executionArn: 'arn' },
      trace,
    );

    const stateLines = text.split('\n').filter((line) => /^\s+\d+ /.test(line));
    expect(stateLines.map((line) => line.trim().split(/\s+/).slice(1, 4))).toEqual([
      ['CreateOrder', 'Task', 'succeeded'],
      ['Withdraw', 'Task', 'caught'],
      ['RejectOrder', 'Task', 'compensated'],
      ['OrderRejected', 'Choice', 'compensated'],
      ['InsufficientFunds', 'Fail', 'failed'],
    ]);
    expect(text).toContain('✕ caught: InsufficientFunds: Balance 10 is below 30');
    expect(text.trimEnd().split('\n').at(-1)).toBe(
      'FAILED  InsufficientFunds: Not enough money; the order was rejected',
    );
  });

  it('lists each retry with the error that caused it', () => {
    const { definition, events, execution } = recorded('retried');

    const text = formatTrace(
      { machine: 'm', name: 'n', executionArn: 'a' },
      traceExecution(definition, events, execution.status),
    );

    expect(text).toContain('↻ attempt 1 failed, retried: TransactionConflict: Transaction cancelled, please retry');
    expect(text.trimEnd().endsWith('SUCCEEDED')).toBe(true);
  });
});
