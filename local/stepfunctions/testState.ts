import { LocalStateMachine, type StateMachineDefinition } from './interpreter';
import type { LambdaInvoker } from './taskInvoker';
import { functionNameOf } from './taskInvoker';
import type { Retrier } from './timeScale';

/**
 * AWS's TestState, for one state: given as a definition of its own, or by `stateName` within a full state
 * machine definition. The state runs once on `input`, with a Task's call replaced by `mock.result` or
 * `mock.errorOutput` (or, without a mock, made through the local Lambda API). Its Retry and Catch are not
 * run but judged, as AWS does: an error a retrier would retry after `stateConfiguration.retrierRetryCount`
 * attempts is RETRIABLE (with that retrier's backoff), one a catcher takes is CAUGHT_ERROR (with its next
 * state and output), anything else FAILED. `inspectionLevel` DEBUG (or TRACE) adds the data at each step of
 * the input and output processing. JSONPath states only; Map and Parallel are not supported locally.
 */

type Json = unknown;
type State = Record<string, unknown> & { Type?: string };
interface Catcher {
  ErrorEquals: string[];
  Next: string;
  ResultPath?: string | null;
}

export class TestStateRefused extends Error {}

const MOCKABLE = ['Task', 'Map', 'Parallel'];
const SUPPORTED = ['Task', 'Pass', 'Choice', 'Wait', 'Succeed', 'Fail'];
const PLACEHOLDER_PREFIX = '__next__';

function parseJson(text: unknown, what: string): Json {
  if (text === undefined) return undefined;
  if (typeof text !== 'string') throw new TestStateRefused(`${what} must be a JSON string`);
  try {
    return JSON.parse(text);
  } catch {
    throw new TestStateRefused(`${what} is not valid JSON`);
  }
}

/** The state under test: the definition itself, or its state `stateName`. */
function stateUnderTest(definition: Record<string, unknown>, stateName: unknown): { state: State } {
  if (stateName === undefined) {
    if (typeof definition['Type'] !== 'string') throw new TestStateRefused('The definition is not a state');
    return { state: definition as State };
  }
  const states = definition['States'] as Record<string, State> | undefined;
  if (typeof stateName !== 'string' || states === undefined || states[stateName] === undefined) {
    throw new TestStateRefused(`State '${String(stateName)}' is not in the state machine definition`);
  }
  return { state: states[stateName] };
}

/** Error matching as Retry and Catch do it: by name, `States.ALL`, or `States.TaskFailed` (but a timeout). */
function matches(errorEquals: string[], error: string, type: string | undefined): boolean {
  return errorEquals.some(
    (name) =>
      name === error ||
      name === 'States.ALL' ||
      (name === 'States.TaskFailed' && type === 'Task' && error !== 'States.Timeout'),
  );
}

/**
 * Runs `state` alone: a copy that cannot retry or catch, whose transitions lead to placeholder Succeed states
 * (so the one taken names the next state), its Task answered by `task`.
 */
async function runAlone(
  state: State,
  input: Json,
  context: Json,
  task: (input: Json) => Promise<Json>,
): Promise<{ output?: Json; nextState?: string; error?: { name: string; message: string } }> {
  const copy = JSON.parse(JSON.stringify(state)) as State;
  delete copy['Retry'];
  delete copy['Catch'];
  const targets = new Set<string>();
  const redirect = (target: unknown) => {
    if (typeof target !== 'string') return target;
    targets.add(target);
    return `${PLACEHOLDER_PREFIX}${target}`;
  };
  if ('Next' in copy) copy['Next'] = redirect(copy['Next']);
  if ('Default' in copy) copy['Default'] = redirect(copy['Default']);
  for (const choice of (copy['Choices'] as Record<string, unknown>[] | undefined) ?? []) {
    choice['Next'] = redirect(choice['Next']);
  }
  const states: Record<string, State> = { Tested: copy };
  for (const target of targets) states[`${PLACEHOLDER_PREFIX}${target}`] = { Type: 'Succeed' };
  const machine = new LocalStateMachine({ StartAt: 'Tested', States: states } as unknown as StateMachineDefinition, {
    validationOptions: { noValidate: true },
  });
  const run = machine.run(input as never, {
    overrides: { taskResourceLocalHandlers: { Tested: task as never }, waitTimeOverrides: { Tested: 0 } },
    context: (context ?? {}) as never,
  });
  let nextState: string | undefined;
  const watch = (async () => {
    for await (const event of run.eventLogs) {
      if (event?.type === 'StateEntered' && event.state.name.startsWith(PLACEHOLDER_PREFIX)) {
        nextState = event.state.name.slice(PLACEHOLDER_PREFIX.length);
      }
    }
  })();
  try {
    const output = await run.result;
    await watch;
    // Reaching a placeholder passes the state's output through it unchanged.
    return { output, ...(nextState === undefined ? {} : { nextState }) };
  } catch (caught) {
    await watch.catch(() => undefined);
    // The library wraps the state's error: its cause is the error the state failed with.
    const error = ((caught as { cause?: unknown }).cause ?? caught) as { name?: string; message?: string };
    return { error: { name: error.name ?? 'States.Runtime', message: error.message ?? '' } };
  }
}

/** A Task's call: the mock's answer, or the function through the local Lambda API. */
function taskCall(state: State, mock: Record<string, unknown> | undefined, invoke: LambdaInvoker) {
  return async (input: Json): Promise<Json> => {
    const errorOutput = mock?.['errorOutput'] as { error?: string; cause?: string } | undefined;
    if (errorOutput !== undefined) {
      throw Object.assign(new Error(errorOutput.cause ?? ''), { name: errorOutput.error });
    }
    if (mock?.['result'] !== undefined) return parseJson(mock['result'], 'mock.result');
    const functionName = functionNameOf(String(state['Resource'] ?? ''));
    if (functionName === undefined) throw new TestStateRefused(`Not a Lambda function: ${String(state['Resource'])}`);
    const outcome = await invoke(functionName, input, new AbortController().signal);
    if (outcome.ok) return outcome.payload;
    throw Object.assign(new Error(outcome.cause), { name: outcome.error });
  };
}

const text = (value: Json) => JSON.stringify(value ?? null);

export async function testState(request: Record<string, unknown>, invoke: LambdaInvoker): Promise<unknown> {
  if (typeof request['definition'] !== 'string') throw new TestStateRefused("'definition' must not be null");
  const definition = parseJson(request['definition'], 'definition') as Record<string, unknown>;
  if (definition === null || typeof definition !== 'object') throw new TestStateRefused('The definition is invalid');
  const { state } = stateUnderTest(definition, request['stateName']);
  if ((state['QueryLanguage'] ?? definition['QueryLanguage']) === 'JSONata') {
    throw new TestStateRefused('The local endpoint tests JSONPath states only');
  }
  if (!SUPPORTED.includes(String(state.Type))) {
    throw new TestStateRefused(`The local endpoint cannot test ${String(state.Type)} states`);
  }
  const mock = request['mock'] as Record<string, unknown> | undefined;
  if (mock !== undefined) {
    if (!MOCKABLE.includes(String(state.Type))) {
      throw new TestStateRefused(`A mock can only be specified for Task, Map, or Parallel states, not ${state.Type}`);
    }
    if ((mock['result'] === undefined) === (mock['errorOutput'] === undefined)) {
      throw new TestStateRefused('A mock has either a result or an errorOutput');
    }
    const errorOutput = mock['errorOutput'] as { error?: unknown } | undefined;
    if (errorOutput !== undefined && typeof errorOutput.error !== 'string') {
      throw new TestStateRefused('mock.errorOutput.error is required');
    }
  }
  if (request['context'] !== undefined && mock === undefined) {
    throw new TestStateRefused('A context can only be specified with a mock');
  }
  const level = String(request['inspectionLevel'] ?? 'INFO');
  if (!['INFO', 'DEBUG', 'TRACE'].includes(level)) throw new TestStateRefused(`Invalid inspectionLevel: ${level}`);
  const retrierRetryCount = Number(
    (request['stateConfiguration'] as { retrierRetryCount?: unknown } | undefined)?.retrierRetryCount ?? 0,
  );
  if (!Number.isInteger(retrierRetryCount) || retrierRetryCount < 0) {
    throw new TestStateRefused('stateConfiguration.retrierRetryCount must be a non-negative integer');
  }
  const input = parseJson(request['input'] ?? '{}', 'input');
  const context = parseJson(request['context'], 'context');

  let result: Json;
  let afterParameters: Json;
  const call = taskCall(state, mock, invoke);
  const task = async (taskInput: Json) => {
    afterParameters = taskInput;
    result = await call(taskInput);
    return result;
  };
  const ran = await runAlone(state, input, context, task);
  const debug = level !== 'INFO';
  const inspection = async (extra: Record<string, unknown> = {}) => {
    if (!debug) return Object.keys(extra).length === 0 ? {} : { inspectionData: extra };
    // The stages of the data flow, each by running the state with the fields up to that stage.
    const upTo = async (fields: string[], answer: (taskInput: Json) => Promise<Json>) => {
      const partial: State = { Type: state.Type === 'Task' ? 'Task' : 'Pass' };
      for (const field of fields) if (field in state) partial[field] = state[field];
      if (state.Type === 'Task') partial['Resource'] = state['Resource'];
      else if ('Result' in state && fields.includes('Result')) partial['Result'] = state['Result'];
      partial['End'] = true;
      return (await runAlone(partial, input, context, answer)).output;
    };
    let afterInputPath: Json;
    await upTo(['InputPath'], async (taskInput) => {
      afterInputPath = taskInput;
      return null;
    });
    const data: Record<string, unknown> = {
      input: text(input),
      afterInputPath: text(state.Type === 'Task' ? afterInputPath : await upTo(['InputPath'], async () => null)),
      afterParameters: text(
        state.Type === 'Task' ? afterParameters : await upTo(['InputPath', 'Parameters'], async () => null),
      ),
      ...extra,
    };
    if (state.Type === 'Task' && ran.error === undefined) {
      const answer = async () => result;
      data['result'] = text(result);
      data['afterResultSelector'] = text(await upTo(['ResultSelector'], answer));
      data['afterResultPath'] = text(await upTo(['InputPath', 'Parameters', 'ResultSelector', 'ResultPath'], answer));
    }
    return { inspectionData: data };
  };

  if (ran.error === undefined) {
    return {
      output: text(ran.output),
      status: 'SUCCEEDED',
      ...(ran.nextState === undefined ? {} : { nextState: ran.nextState }),
      ...(await inspection()),
    };
  }
  if (ran.error.message.startsWith('Not a Lambda function')) throw new TestStateRefused(ran.error.message);
  const error = ran.error.name;
  const cause = ran.error.message;
  const retriers = (state['Retry'] as Retrier[] | undefined) ?? [];
  const retryIndex = retriers.findIndex((retrier) => matches(retrier.ErrorEquals, error, state.Type));
  const retrier = retriers[retryIndex];
  if (retrier !== undefined && retrierRetryCount < (retrier.MaxAttempts ?? 3)) {
    const backoff = Math.min(
      (retrier.IntervalSeconds ?? 1) * (retrier.BackoffRate ?? 2) ** retrierRetryCount,
      retrier.MaxDelaySeconds ?? Infinity,
    );
    return {
      error,
      cause,
      status: 'RETRIABLE',
      ...(await inspection({ errorDetails: { retryIndex, retryBackoffIntervalSeconds: backoff } })),
    };
  }
  const catchers = (state['Catch'] as Catcher[] | undefined) ?? [];
  const catchIndex = catchers.findIndex((catcher) => matches(catcher.ErrorEquals, error, state.Type));
  const catcher = catchers[catchIndex];
  if (catcher !== undefined) {
    // The error output placed into the raw input at the catcher's ResultPath, as a Pass state would.
    const placed = await runAlone(
      {
        Type: 'Pass',
        Result: { Error: error, Cause: cause },
        ...('ResultPath' in catcher ? { ResultPath: catcher.ResultPath } : {}),
        End: true,
      },
      input,
      context,
      async () => null,
    );
    return {
      output: text(placed.output),
      error,
      cause,
      nextState: catcher.Next,
      status: 'CAUGHT_ERROR',
      ...(await inspection({ errorDetails: { catchIndex } })),
    };
  }
  return { error, cause, status: 'FAILED', ...(await inspection()) };
}
