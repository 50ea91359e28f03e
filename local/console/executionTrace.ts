/**
 * What happened to each state of an execution, read from its Step Functions history alone (the AWS event
 * types, so it reads AWS's, LocalStack's and the local endpoint's histories alike). Pure: the console and
 * `npm run trace` both draw from it.
 */
import type { ExecutionStatus } from '@aws-sdk/client-sfn';

export type { ExecutionStatus };

/**
 * A `HistoryEvent`: its type, id, time (as the SDK (Date), JSON (string) or epoch ms give it) and one
 * `…EventDetails` object, read by name.
 */
export interface TraceEvent {
  id?: number;
  type?: string;
  timestamp?: Date | string | number;
}

/**
 * One mark per state, the most telling of what happened to it on its last visit:
 * - `succeeded`: entered and left normally;
 * - `retried`: succeeded, after one or more failed attempts its Retry caught;
 * - `caught`: failed, and a Catch sent the execution on elsewhere;
 * - `compensated`: left normally, but reached through a Catch (the compensation path);
 * - `failed`: the execution failed here (a Fail state, or an error no Catch named);
 * - `running`: entered, not left yet;
 * - `not-entered`: never reached.
 */
export type StateMark = 'succeeded' | 'retried' | 'caught' | 'compensated' | 'failed' | 'running' | 'not-entered';

export interface Failure {
  error?: string;
  cause?: string;
  /** Epoch ms. */
  at: number;
}

/** One entry into a state, from its StateEntered to its StateExited (or the end of the execution). */
export interface StateVisit {
  name: string;
  /** `Task`, `Choice`, `Pass`, `Fail`, … (from the event type). */
  type: string;
  /** Epoch ms. */
  enteredAt: number;
  exitedAt?: number;
  durationMs?: number;
  input?: string;
  output?: string;
  /** Calls made (Task states): more than one means retries. */
  attempts: number;
  /** The failed attempts that Retry answered with another attempt. */
  retries: Failure[];
  /** The error the visit ended with: caught by a Catch, or failing the execution. */
  failure?: Failure;
  /** Reached through a Catch, directly or further down its path. */
  viaCatch: boolean;
  outcome: 'succeeded' | 'caught' | 'failed' | 'running';
  mark: StateMark;
  /** The ids of its events, from StateEntered on. */
  eventIds: number[];
  /** The first visit after a RedriveExecution: that redrive's count (1 for the first). */
  redrive?: number;
}

/** A RedriveExecution: the execution ran again from the state it had stopped in. */
export interface Redrive {
  count: number;
  /** Epoch ms. */
  at: number;
}

export interface StateSummary {
  name: string;
  mark: StateMark;
  /** How often it was entered. */
  visits: number;
  /** Retries over all visits. */
  retries: number;
  /** The last visit, when there was one. */
  last?: StateVisit;
}

export interface ExecutionTrace {
  status: ExecutionStatus;
  startedAt?: number;
  stoppedAt?: number;
  durationMs?: number;
  /** The execution's own failure (ExecutionFailed, TimedOut, Aborted). */
  failure?: Failure;
  /** Every state visit, in the order entered. */
  steps: StateVisit[];
  /** Its redrives, oldest first (ExecutionRedriven events). */
  redrives: Redrive[];
  /** Every state of the definition's top level (then any other state the history names), with its mark. */
  states: Record<string, StateSummary>;
}

const toMs = (timestamp: TraceEvent['timestamp']): number =>
  timestamp instanceof Date
    ? timestamp.getTime()
    : typeof timestamp === 'string'
      ? Date.parse(timestamp)
      : (timestamp ?? 0);

/** The event's `…EventDetails` object (each event has at most one). */
function details(event: TraceEvent): Record<string, unknown> {
  for (const [key, value] of Object.entries(event)) {
    if (key.endsWith('EventDetails') && value !== null && typeof value === 'object')
      return value as Record<string, unknown>;
  }
  return {};
}

const str = (value: unknown) => (typeof value === 'string' ? value : undefined);

/** A Task's call events: Lambda (classic), optimized integrations (Task*) and activities. */
const CALL =
  /^(LambdaFunction|Task|Activity)(Scheduled|Started|Succeeded|Failed|TimedOut|ScheduleFailed|StartFailed|SubmitFailed)$/;

function markOf(visit: Pick<StateVisit, 'outcome' | 'viaCatch' | 'retries'>): StateMark {
  if (visit.outcome !== 'succeeded') return visit.outcome;
  if (visit.viaCatch) return 'compensated';
  return visit.retries.length > 0 ? 'retried' : 'succeeded';
}

function stateNamesOf(definition: unknown): string[] {
  const states = (definition as { States?: Record<string, unknown> } | undefined)?.States;
  return states && typeof states === 'object' ? Object.keys(states) : [];
}

/**
 * Reads `events` (oldest first, as GetExecutionHistory gives them by default) into per-state marks and
 * timings. `status` is DescribeExecution's; `now` times what is still running.
 */
export function traceExecution(
  definition: unknown,
  events: readonly TraceEvent[],
  status: ExecutionStatus,
  now: number = Date.now(),
): ExecutionTrace {
  const steps: StateVisit[] = [];
  const open: StateVisit[] = [];
  let onCatchPath = false;
  let startedAt: number | undefined;
  let stoppedAt: number | undefined;
  let failure: Failure | undefined;
  // The attempt in flight: its failure becomes a retry when another attempt follows.
  let lastCallFailure: Failure | undefined;
  const redrives: Redrive[] = [];
  let redriveOfNextVisit: number | undefined;

  const innermostTask = () => [...open].reverse().find((visit) => visit.type === 'Task');

  for (const event of events) {
    const type = event.type ?? '';
    const at = toMs(event.timestamp);
    const info = details(event);
    const id = event.id;
    if (id !== undefined) open.at(-1)?.eventIds.push(id);

    if (type === 'ExecutionStarted') {
      startedAt = at;
    } else if (type === 'ExecutionRedriven') {
      // The execution is open again: it resumes at the state it stopped in, whose next visit follows.
      const count = typeof info['redriveCount'] === 'number' ? info['redriveCount'] : redrives.length + 1;
      redrives.push({ count, at });
      redriveOfNextVisit = count;
      stoppedAt = undefined;
      failure = undefined;
      lastCallFailure = undefined;
    } else if (type.endsWith('StateEntered')) {
      const visit: StateVisit = {
        name: str(info['name']) ?? '?',
        type: type.slice(0, -'StateEntered'.length),
        enteredAt: at,
        input: str(info['input']),
        attempts: 0,
        retries: [],
        viaCatch: onCatchPath,
        outcome: 'running',
        mark: 'running',
        eventIds: id === undefined ? [] : [id],
        ...(redriveOfNextVisit === undefined ? {} : { redrive: redriveOfNextVisit }),
      };
      redriveOfNextVisit = undefined;
      steps.push(visit);
      open.push(visit);
    } else if (type.endsWith('StateExited')) {
      const name = str(info['name']);
      const index = open.findLastIndex((visit) => visit.name === name);
      const visit = index === -1 ? undefined : open.splice(index, 1)[0];
      if (visit) {
        Object.assign(visit, { exitedAt: at, durationMs: at - visit.enteredAt, output: str(info['output']) });
        // Left after a failed call: a Catch took it; everything from here on is on the Catch's path.
        if (lastCallFailure && visit.type === 'Task') {
          visit.failure = lastCallFailure;
          visit.outcome = 'caught';
          onCatchPath = true;
        } else visit.outcome = 'succeeded';
        lastCallFailure = undefined;
      }
    } else if (CALL.test(type)) {
      const task = innermostTask();
      const phase = CALL.exec(type)?.[2] ?? '';
      if (phase === 'Scheduled' && task) {
        if (lastCallFailure) task.retries.push(lastCallFailure);
        lastCallFailure = undefined;
        task.attempts += 1;
      } else if (phase === 'Succeeded') {
        lastCallFailure = undefined;
      } else if (phase !== 'Started') {
        lastCallFailure = { error: str(info['error']), cause: str(info['cause']), at };
      }
    } else if (type === 'ExecutionSucceeded') {
      stoppedAt = at;
    } else if (/^Execution(Failed|TimedOut|Aborted)$/.test(type)) {
      stoppedAt = at;
      failure = { error: str(info['error']), cause: str(info['cause']), at };
      // The states still open are where it failed: the call's own error, or (a Fail state) the execution's.
      for (const visit of open.splice(0)) {
        Object.assign(visit, { exitedAt: at, durationMs: at - visit.enteredAt, outcome: 'failed' });
        visit.failure = (visit.type === 'Task' && lastCallFailure) || failure;
      }
    }
  }
  for (const visit of open) {
    if (status !== 'RUNNING') continue;
    visit.durationMs = now - visit.enteredAt;
  }
  for (const visit of steps) visit.mark = markOf(visit);

  const states: Record<string, StateSummary> = {};
  for (const name of stateNamesOf(definition)) states[name] = { name, mark: 'not-entered', visits: 0, retries: 0 };
  for (const visit of steps) {
    const summary = (states[visit.name] ??= { name: visit.name, mark: 'not-entered', visits: 0, retries: 0 });
    summary.visits += 1;
    summary.retries += visit.retries.length;
    summary.mark = visit.mark;
    summary.last = visit;
  }
  const end = stoppedAt ?? (status === 'RUNNING' ? now : undefined);
  return {
    status,
    startedAt,
    stoppedAt,
    durationMs: startedAt === undefined || end === undefined ? undefined : end - startedAt,
    failure,
    steps,
    redrives,
    states,
  };
}
