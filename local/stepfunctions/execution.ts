import { randomUUID } from 'node:crypto';
import { LocalStateMachine, type StateMachineDefinition } from './interpreter';
import { LOCAL_REGION } from '../config';
import type { StateMachine } from './machines';
import type { ExecutionRecord, ExecutionStatus, HistoryEvent } from './store';
import { functionNameOf, type InvokeOutcome, type LambdaInvoker } from './taskInvoker';
import { scaleDefinition } from './timeScale';

/**
 * A Task without `TimeoutSeconds` gets this many (AWS's default is a year). The functions time out after 10 s
 * and serverless-offline reports that as their error; 30 s leaves room for a cold start and still ends a
 * saga whose invoke endpoint hangs.
 */
export const DEFAULT_TASK_TIMEOUT_SECONDS = 30;

export interface ExecutionDependencies {
  invoke: LambdaInvoker;
  taskTimeoutSeconds: number;
  /** Retry intervals and Wait states run at this fraction of their length (see timeScale.ts). */
  timeScale: number;
  /** How long a function's idempotency lock can be held: the longest function timeout, in seconds. */
  lockSeconds: number;
  /** Called after each change to the record, to persist it. */
  changed: (record: ExecutionRecord) => void;
}

export interface RunningExecution {
  /** StopExecution: records ExecutionAborted and stops at once. */
  stop: (error?: string, cause?: string) => void;
  /** Shutdown of the local cloud: stops recording and running; the record stays RUNNING, to resume later. */
  interrupt: () => void;
  /** Settles when the execution has closed or been interrupted. */
  done: Promise<void>;
}

type TaskState = { Type: 'Task'; Resource: string; TimeoutSeconds?: number; TimeoutSecondsPath?: string };
type LibraryEvent = Awaited<ReturnType<ReturnType<LocalStateMachine['run']>['eventLogs']['next']>>['value'];

const NOT_TRUNCATED = { truncated: false };
const json = (value: unknown) => JSON.stringify(value ?? null);
const text = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));

/** Every Task state of a definition, including those inside Parallel branches and Map iterators. */
function taskStates(definition: Record<string, unknown>): Map<string, TaskState> {
  const found = new Map<string, TaskState>();
  const visit = (machine: unknown) => {
    const states = (machine as { States?: Record<string, Record<string, unknown>> } | undefined)?.States ?? {};
    for (const [name, state] of Object.entries(states)) {
      if (state['Type'] === 'Task') found.set(name, state as unknown as TaskState);
      for (const branch of (state['Branches'] as unknown[] | undefined) ?? []) visit(branch);
      visit(state['Iterator']);
      visit(state['ItemProcessor']);
    }
  };
  visit(definition);
  return found;
}

/** A copy of the definition where each Task without a timeout of its own has the default one. */
function withTaskTimeouts(definition: Record<string, unknown>, seconds: number): Record<string, unknown> {
  // A JSON copy rather than structuredClone, whose objects can come from another realm (Jest's), which the
  // library's plain-object check rejects, leaving nested Parameters unresolved.
  const copy = JSON.parse(JSON.stringify(definition)) as Record<string, unknown>;
  for (const state of taskStates(copy).values()) {
    if (state.TimeoutSeconds === undefined && state.TimeoutSecondsPath === undefined) state.TimeoutSeconds = seconds;
  }
  return copy;
}

/** An error as the ASL Retry/Catch see it: matched by `name`, with `message` becoming the Cause. */
function taskError(name: string, cause: string): Error {
  const error = new Error(cause);
  error.name = name;
  return error;
}

/** The execution's history: AWS event types, ids in sequence, nothing added once it is closed. */
class History {
  closed = false;

  constructor(
    private readonly record: ExecutionRecord,
    private readonly changed: (record: ExecutionRecord) => void,
  ) {}

  append(type: string, details: Record<string, unknown> = {}): void {
    if (this.closed) return;
    const previous = this.record.history.at(-1)?.id ?? 0;
    this.record.history.push({ timestamp: Date.now(), type, id: previous + 1, previousEventId: previous, ...details });
    this.changed(this.record);
  }

  close(status: ExecutionStatus, result: { output?: string; error?: string; cause?: string }): void {
    if (this.closed) return;
    Object.assign(this.record, { status, stopDate: Date.now() }, withoutUndefined(result));
    this.closed = true;
    this.changed(this.record);
  }
}

const withoutUndefined = (object: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined));

/**
 * One Task call, recorded as AWS records it: `arn:aws:lambda:…:function:<name>` as LambdaFunction* events
 * with the function's result as the task result; `arn:aws:states:::lambda:invoke` as Task* events with the
 * Invoke API's response (`Payload`, `StatusCode`, …) as the result.
 */
function taskHandler(
  state: TaskState,
  history: History,
  execution: AbortSignal,
  invoke: LambdaInvoker,
  executionArn: string,
): (input: unknown) => Promise<unknown> {
  const optimized = state.Resource === 'arn:aws:states:::lambda:invoke';
  const integration = { resourceType: 'lambda', resource: 'invoke' };
  return async (input) => {
    if (execution.aborted) throw taskError('States.Runtime', 'The execution was stopped.');
    const request = optimized ? (input as { FunctionName?: string; Payload?: unknown }) : undefined;
    const functionName = functionNameOf(request ? String(request.FunctionName ?? '') : state.Resource);
    const timeoutInSeconds = state.TimeoutSeconds;
    const call = new AbortController();
    let timedOut = false;
    const stopCall = () => call.abort();
    execution.addEventListener('abort', stopCall);
    // Set before the library's own timer for the same delay, so the timed-out event precedes its States.Timeout.
    const timer =
      timeoutInSeconds === undefined
        ? undefined
        : setTimeout(() => {
            const cause = `The task did not finish within ${timeoutInSeconds} s.`;
            const error = { error: 'States.Timeout', cause };
            if (optimized) history.append('TaskTimedOut', { taskTimedOutEventDetails: { ...integration, ...error } });
            else history.append('LambdaFunctionTimedOut', { lambdaFunctionTimedOutEventDetails: error });
            timedOut = true;
            call.abort();
          }, timeoutInSeconds * 1000);
    try {
      // The library's events reach the history through an async iterator: let it catch up, so that this
      // call's events follow the TaskStateEntered (or the failure before a retry) that precedes them.
      await new Promise((resolve) => setImmediate(resolve));
      if (optimized) {
        history.append('TaskScheduled', {
          taskScheduledEventDetails: {
            ...integration,
            region: LOCAL_REGION,
            parameters: json(input),
            timeoutInSeconds,
          },
        });
        history.append('TaskStarted', { taskStartedEventDetails: integration });
      } else {
        history.append('LambdaFunctionScheduled', {
          lambdaFunctionScheduledEventDetails: {
            resource: state.Resource,
            input: json(input),
            inputDetails: NOT_TRUNCATED,
            timeoutInSeconds,
          },
        });
        history.append('LambdaFunctionStarted');
      }
      let outcome: InvokeOutcome;
      try {
        outcome =
          functionName === undefined
            ? { ok: false, error: 'States.Runtime', cause: `Not a Lambda function: ${state.Resource}` }
            : await invoke(functionName, request ? (request.Payload ?? {}) : input, call.signal, executionArn);
      } catch (error) {
        // Timed out: the library's own timer, due now, fails the state with its States.Timeout error.
        if (timedOut) return new Promise<never>(() => undefined);
        throw error;
      }
      if (!outcome.ok) {
        const error = { error: outcome.error, cause: outcome.cause };
        if (optimized) history.append('TaskFailed', { taskFailedEventDetails: { ...integration, ...error } });
        else history.append('LambdaFunctionFailed', { lambdaFunctionFailedEventDetails: error });
        throw taskError(outcome.error, outcome.cause);
      }
      const result = optimized
        ? {
            ExecutedVersion: '$LATEST',
            Payload: outcome.payload,
            SdkHttpMetadata: { HttpHeaders: {}, HttpStatusCode: 200 },
            SdkResponseMetadata: { RequestId: randomUUID() },
            StatusCode: 200,
          }
        : outcome.payload;
      const output = { output: json(result), outputDetails: NOT_TRUNCATED };
      if (optimized) history.append('TaskSucceeded', { taskSucceededEventDetails: { ...integration, ...output } });
      else history.append('LambdaFunctionSucceeded', { lambdaFunctionSucceededEventDetails: output });
      return result;
    } finally {
      clearTimeout(timer);
      execution.removeEventListener('abort', stopCall);
    }
  };
}

/** Translates the library's event log into AWS history events (its retry/catch bookkeeping has no AWS twin). */
function recordEvent(event: LibraryEvent, history: History, continued: boolean, roleArn: string, input: string): void {
  if (event === undefined) return;
  switch (event.type) {
    case 'ExecutionStarted':
      // A resumed or redriven execution keeps its one ExecutionStarted; its states simply run again after it.
      if (!continued) {
        history.append('ExecutionStarted', {
          executionStartedEventDetails: { input, inputDetails: NOT_TRUNCATED, roleArn },
        });
      }
      return;
    case 'StateEntered':
      history.append(`${event.state.type}StateEntered`, {
        stateEnteredEventDetails: {
          name: event.state.name,
          input: json(event.state.input),
          inputDetails: NOT_TRUNCATED,
        },
      });
      return;
    case 'StateExited':
      history.append(`${event.state.type}StateExited`, {
        stateExitedEventDetails: {
          name: event.state.name,
          output: json(event.state.output),
          outputDetails: NOT_TRUNCATED,
        },
      });
      return;
    case 'MapIterationStarted':
    case 'MapIterationSucceeded':
    case 'MapIterationFailed': {
      const key = `${event.type.charAt(0).toLowerCase()}${event.type.slice(1)}EventDetails`;
      history.append(event.type, { [key]: { name: event.parentState.name, index: event.index } });
      return;
    }
    case 'ExecutionSucceeded': {
      const output = json(event.output);
      history.append('ExecutionSucceeded', {
        executionSucceededEventDetails: { output, outputDetails: NOT_TRUNCATED },
      });
      history.close('SUCCEEDED', { output });
      return;
    }
    case 'ExecutionFailed': {
      const failure = withoutUndefined({
        error: event.Error === undefined ? undefined : String(event.Error),
        cause: event.Cause === undefined ? undefined : text(event.Cause),
      }) as { error?: string; cause?: string };
      history.append('ExecutionFailed', { executionFailedEventDetails: failure });
      history.close('FAILED', failure);
      return;
    }
    case 'ExecutionTimeout': {
      const failure = { error: 'States.Timeout', cause: 'The execution ran longer than its TimeoutSeconds.' };
      history.append('ExecutionTimedOut', { executionTimedOutEventDetails: failure });
      history.close('TIMED_OUT', failure);
      return;
    }
    default:
      return;
  }
}

/** Where a run starts: a state of the definition, with the input that state gets (a JSON text). */
export interface RunFrom {
  state: string;
  input: string;
}

/**
 * Where a redrive resumes: the last top-level state the execution entered (the one it failed, was stopped or
 * timed out in), with the input it had then. An execution that never entered a state starts over.
 */
export function redrivePoint(definition: Record<string, unknown>, record: ExecutionRecord): RunFrom {
  const states = definition['States'] as Record<string, unknown>;
  const entered = (event: HistoryEvent) => {
    const details = event['stateEnteredEventDetails'] as { name?: string; input?: string } | undefined;
    return event.type.endsWith('StateEntered') && details?.name !== undefined && details.name in states
      ? { state: details.name, input: details.input ?? '{}' }
      : undefined;
  };
  for (let index = record.history.length - 1; index >= 0; index -= 1) {
    const point = entered(record.history[index]!);
    if (point) return point;
  }
  return { state: String(definition['StartAt']), input: record.input };
}

/**
 * Runs an execution with aws-local-stepfunctions, every Task routed through `invoke`, and keeps its status and
 * AWS-shaped history in `record`. `from` starts it at a given state (a redrive, or a run a restart resumes);
 * `continued` says the history already has its ExecutionStarted.
 */
export function runExecution(
  machine: StateMachine,
  record: ExecutionRecord,
  dependencies: ExecutionDependencies,
  options: { continued: boolean; from?: RunFrom },
): RunningExecution {
  const history = new History(record, dependencies.changed);
  const aborter = new AbortController();
  const definition = scaleDefinition(
    withTaskTimeouts(machine.definition, dependencies.taskTimeoutSeconds),
    dependencies.timeScale,
    dependencies.lockSeconds,
  );
  // The interpreter can start only at StartAt: a run from another state is a copy that starts there.
  if (options.from) definition['StartAt'] = options.from.state;
  const handlers = Object.fromEntries(
    [...taskStates(definition)].map(([name, state]) => [
      name,
      taskHandler(state, history, aborter.signal, dependencies.invoke, record.executionArn),
    ]),
  );
  // Validated once, when the service loads the machine: validating again here (asl-validator compiles its
  // JSON schemas with ajv each time) cost more CPU than the rest of an execution.
  const localMachine = new LocalStateMachine(definition as unknown as StateMachineDefinition, {
    validationOptions: { noValidate: true },
  });
  const run = localMachine.run(JSON.parse(options.from?.input ?? record.input), {
    overrides: { taskResourceLocalHandlers: handlers as never },
    noThrowOnAbort: true,
    context: {
      Execution: {
        Id: record.executionArn,
        Name: record.name,
        RoleArn: machine.roleArn,
        Input: JSON.parse(record.input) as never,
        StartTime: new Date(record.startDate).toISOString(),
        RedriveCount: record.redriveCount ?? 0,
      },
      StateMachine: { Id: machine.arn, Name: machine.name },
    },
  });
  run.result.catch(() => undefined); // the outcome is read from the event log
  const done = (async () => {
    try {
      for await (const event of run.eventLogs) {
        recordEvent(event, history, options.continued, machine.roleArn, record.input);
      }
    } catch (error) {
      // A fault of this endpoint, not of the definition: close the execution rather than leave it RUNNING.
      const failure = { error: 'States.Runtime', cause: `Local Step Functions: ${String(error)}` };
      history.append('ExecutionFailed', { executionFailedEventDetails: failure });
      history.close('FAILED', failure);
      aborter.abort();
      run.abort();
    }
  })();
  const halt = () => {
    aborter.abort();
    run.abort();
  };
  return {
    stop: (error, cause) => {
      const details = withoutUndefined({ error, cause }) as { error?: string; cause?: string };
      history.append('ExecutionAborted', { executionAbortedEventDetails: details });
      history.close('ABORTED', details);
      halt();
    },
    interrupt: () => {
      history.closed = true;
      halt();
    },
    done,
  };
}

/** Closes an execution that cannot run again (its state machine is gone) as failed, with that reason. */
export function failExecution(
  record: ExecutionRecord,
  changed: (record: ExecutionRecord) => void,
  failure: { error: string; cause: string },
): void {
  const history = new History(record, changed);
  history.append('ExecutionFailed', { executionFailedEventDetails: failure });
  history.close('FAILED', failure);
}
