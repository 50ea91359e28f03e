import { createHash, randomUUID } from 'node:crypto';
import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  StartExecutionCommand,
  type ExecutionStatus,
} from '@aws-sdk/client-sfn';
import * as z from 'zod';
import { Body } from '../common/schemas';
import { stepFunctions } from '../common/sfn';
import { IdempotencyKeyReused } from '../common/errors';
import { executionArnOf } from './executionArn';

/** An execution's status, as Step Functions reports it (the SDK's type: the one list of them). */
export type SagaStatus = ExecutionStatus;

export interface SagaOutcome {
  executionArn: string;
  executionName: string;
  status: SagaStatus;
  input: Record<string, unknown>;
  output?: unknown;
  error?: string;
  cause?: string;
}

/**
 * Whether the saga is still on its way to a final answer: running (or about to run again after a redrive), or
 * stopped by a failure that is no answer of its own — a step at or after the pivot, or a compensation, that
 * kept failing (the execution fails at that step and waits for an operator's redrive), a timeout, an abort.
 * Only the errors of the saga's Fail states (`finalErrors`) are answers.
 */
export function stillInProgress(outcome: SagaOutcome, finalErrors: readonly string[]): boolean {
  if (outcome.status === 'RUNNING' || outcome.status === 'PENDING_REDRIVE') return true;
  if (outcome.status === 'SUCCEEDED') return false;
  return outcome.error === undefined || !finalErrors.includes(outcome.error);
}

/** How long an API call waits for its saga before answering 202 with a URL to follow it. */
export const SAGA_WAIT_MS = 10_000;

const NAME_PATTERN = /^[A-Za-z0-9_-]{1,80}$/;

/** The path parameter of the status routes that follow a saga answered with 202. */
export const ExecutionRef = Body({ executionName: z.string().regex(NAME_PATTERN, 'must be an execution name') });

/**
 * The execution name: the caller's Idempotency-Key (or X-Request-Id), within the caller's scope (a client's
 * keys never meet another's), kept readable when it is a valid name and digested otherwise; random without
 * a key. Step Functions refuses a second execution of a name, so a retried POST finds the first saga.
 */
export function executionNameFor(requestId: string | undefined, scope?: string): string {
  if (requestId === undefined) return randomUUID();
  const scoped = scope === undefined ? requestId : `${scope}_${requestId}`;
  if (NAME_PATTERN.test(scoped)) return scoped;
  return createHash('sha256').update(scoped).digest('hex').slice(0, 64);
}

/**
 * A digest of what the caller asked for (without secrets), stored in the execution input. A retried request
 * must carry the same one: the same key with a different request is refused rather than answered wrongly.
 */
export function requestFingerprint(request: Record<string, unknown>): string {
  const canonical = JSON.stringify(
    Object.keys(request)
      .sort()
      .map((key) => [key, request[key]]),
  );
  return createHash('sha256').update(canonical).digest('hex');
}

export async function describeSaga(executionArn: string): Promise<SagaOutcome> {
  return (await describeExecution(executionArn)).outcome;
}

/** The saga's outcome, and how long it ran when it has closed (its stop date − its start date). */
async function describeExecution(executionArn: string): Promise<{ outcome: SagaOutcome; durationMs?: number }> {
  const execution = await stepFunctions.send(new DescribeExecutionCommand({ executionArn }));
  const outcome: SagaOutcome = {
    executionArn,
    executionName: execution.name ?? executionArn.split(':').pop()!,
    status: execution.status as ExecutionStatus,
    input: JSON.parse(execution.input ?? '{}') as Record<string, unknown>,
    ...(execution.output === undefined ? {} : { output: JSON.parse(execution.output) as unknown }),
    ...(execution.error === undefined ? {} : { error: execution.error }),
    ...(execution.cause === undefined ? {} : { cause: execution.cause }),
  };
  const { startDate, stopDate } = execution;
  return startDate && stopDate ? { outcome, durationMs: stopDate.getTime() - startDate.getTime() } : { outcome };
}

/** The saga `executionName` of a state machine, or undefined when there is none by that name. */
export async function findSaga(stateMachineArn: string, executionName: string): Promise<SagaOutcome | undefined> {
  try {
    return await describeSaga(executionArnOf(stateMachineArn, executionName));
  } catch (error) {
    if (error instanceof ExecutionDoesNotExist) return undefined;
    throw error;
  }
}

/** Whether an execution found under a request's name was started for that same request. */
export type SameRequest = (existing: SagaOutcome) => boolean | Promise<boolean>;

/** A saga this call started (or found already started), and when it asked for it, by this container's clock. */
export interface StartedSaga {
  executionArn: string;
  /** When the StartExecution was sent (the execution began after it); when it was found, for one found. */
  sentAt: number;
}

/**
 * Starts the saga, or finds the one this name already started (refusing it if it was for another request:
 * by default a different fingerprint; `sameRequest` adds what a fingerprint cannot hold, such as a secret).
 */
export async function startSaga(
  stateMachineArn: string,
  executionName: string,
  input: Record<string, unknown> & { fingerprint: string },
  sameRequest: SameRequest = (existing) => existing.input['fingerprint'] === input.fingerprint,
): Promise<StartedSaga> {
  const sentAt = Date.now();
  try {
    const started = await stepFunctions.send(
      new StartExecutionCommand({ stateMachineArn, name: executionName, input: JSON.stringify(input) }),
    );
    return { executionArn: started.executionArn!, sentAt };
  } catch (error) {
    if (!(error instanceof ExecutionAlreadyExists)) throw error;
    const executionArn = executionArnOf(stateMachineArn, executionName);
    const existing = await describeSaga(executionArn);
    if (!(await sameRequest(existing))) {
      throw new IdempotencyKeyReused('This Idempotency-Key was already used for a different request');
    }
    return { executionArn, sentAt: Date.now() };
  }
}

/**
 * When a saga-starting call looks at its saga again. A Standard workflow has no call that waits for an
 * execution's end, only DescribeExecution: each look is a request here and one at Step Functions, and under
 * load a saga that takes seconds was looked at a dozen times. The best guess of when this saga ends is when
 * the last ones did, so the container keeps, per state machine, the durations of the last `SAMPLES` sagas it
 * waited for (of the last `MAX_AGE_MS`: older ones say little about the next) and looks at their `QUANTILES`,
 * the middles of six equal shares of them: each look finds about a sixth more of the sagas ended, so a saga
 * takes about three looks and is seen within half the distance between two quantiles of its end, whether the
 * durations are steady (one user: looks a few milliseconds apart), scattered (under load) or in two groups
 * (orders refused for want of money end sooner than confirmed ones). Looks closer than `MIN_STEP_MS` are one.
 * Past the last quantile the intervals start at the distance between the last two (at least `MIN_STEP_MS`)
 * and grow by half, up to `MAX_STEP_MS`. With fewer than `MIN_SAMPLES` recent sagas it
 * looks at 25 ms, then at intervals of 25 ms growing by half. (A mean and a deviation, the estimate this
 * replaced, put the first look after the refused orders had ended, and the slow sagas of a cold start held
 * the mean up for dozens of sagas after, in a container that waits for few.)
 *
 * The times are counted from when the StartExecution was sent, not from the end of the previous look: the
 * execution began about half a round trip after that, and a look reaches Step Functions about half a round
 * trip after it leaves, so a look at a saga's duration finds a saga of that duration ended; and a look's own
 * round trip does not push the later ones back. A time that passed while a slow look was on its way is
 * skipped, not made up for by looks back to back; one that came due less than `MIN_STEP_MS` ago, during the
 * last look's own round trip, is looked at at once, without a timer (Node's shortest is a millisecond).
 */
export class SagaPace {
  static readonly FIRST_MS = 25;
  /**
   * Looks closer than this are one, and a time that came due less than this ago is still looked at. 1 ms, the
   * resolution of the durations and of Node's timers, and about a look's own round trip at one user on a fast
   * machine: there the durations are steady, a warm order saga takes about 13 ms and its quantiles are a
   * millisecond or two apart, so that looks around its end follow one another as each answers (2 ms, and
   * skipping what came due during a look, left a fast machine's 1-user ratio at 1.35-1.4; under load the
   * quantiles are tens of milliseconds apart anyway). docs/BENCHMARKS.md has the runs.
   */
  static readonly MIN_STEP_MS = 1;
  static readonly MAX_STEP_MS = 250;
  static readonly SAMPLES = 32;
  static readonly MIN_SAMPLES = 4;
  static readonly MAX_AGE_MS = 60_000;
  /** Where the looks go among the recent durations: the middles of six equal shares of them. */
  static readonly QUANTILES = [1 / 12, 3 / 12, 5 / 12, 7 / 12, 9 / 12, 11 / 12] as const;
  /** The durations seen, oldest first, with when each was seen. */
  private readonly samples: Array<{ seenAt: number; durationMs: number }> = [];

  /** When to look during one wait, in milliseconds from its start: an endless, rising schedule. */
  *lookTimes(now = Date.now()): Generator<number, never> {
    const { FIRST_MS, MIN_STEP_MS, MAX_STEP_MS, QUANTILES } = SagaPace;
    const durations = this.recentDurations(now).sort((a, b) => a - b);
    if (durations.length < SagaPace.MIN_SAMPLES) {
      for (let at = FIRST_MS, step = FIRST_MS; ; at += step, step = Math.min(step * 1.5, MAX_STEP_MS)) yield at;
    }
    const quantileAt = (quantile: number) => durations[Math.floor(quantile * durations.length)]!;
    let at = -Infinity;
    for (const quantile of QUANTILES) {
      const time = quantileAt(quantile);
      if (time - at < MIN_STEP_MS) continue;
      at = time;
      yield at;
    }
    // Past the last quantile, the sagas' density there: the distance between the last two quantiles.
    const lastGap = quantileAt(QUANTILES.at(-1)!) - quantileAt(QUANTILES.at(-2)!);
    for (let step = Math.max(MIN_STEP_MS, lastGap); ; step = Math.min(step * 1.5, MAX_STEP_MS)) {
      at += step;
      yield at;
    }
  }

  /** A saga waited for has closed after running `durationMs`. */
  observe(durationMs: number, now = Date.now()): void {
    this.samples.push({ seenAt: now, durationMs });
    if (this.samples.length > SagaPace.SAMPLES) this.samples.shift();
  }

  /** The durations of the recent sagas, oldest first (the expired ones forgotten). */
  recentDurations(now = Date.now()): number[] {
    while (this.samples.length > 0 && now - this.samples[0]!.seenAt > SagaPace.MAX_AGE_MS) this.samples.shift();
    return this.samples.map((sample) => sample.durationMs);
  }
}

/** One pace per state machine (the machine's name in the execution ARN), for as long as the container lives. */
const paces = new Map<string, SagaPace>();
export function paceOf(executionArn: string): SagaPace {
  const machine = executionArn.split(':')[6] ?? '';
  let pace = paces.get(machine);
  if (pace === undefined) paces.set(machine, (pace = new SagaPace()));
  return pace;
}

/**
 * Looks at the execution until it closes or `waitMs` passes since it was started (SagaPace says when); a
 * RUNNING (or PENDING_REDRIVE) outcome means "not yet".
 */
export async function awaitSaga({ executionArn, sentAt }: StartedSaga, waitMs = SAGA_WAIT_MS): Promise<SagaOutcome> {
  const pace = paceOf(executionArn);
  const times = pace.lookTimes();
  let next = times.next().value;
  for (;;) {
    // Each time is looked at once, even when its timer fired a millisecond before Date.now() says it is due:
    // the look at the deadline is the last, and the next look is after the one just made.
    const lookingAt = Math.min(next, waitMs);
    const delay = lookingAt - (Date.now() - sentAt);
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    const { outcome, durationMs } = await describeExecution(executionArn);
    const running = outcome.status === 'RUNNING' || outcome.status === 'PENDING_REDRIVE';
    if (!running && durationMs !== undefined) pace.observe(durationMs);
    const elapsed = Date.now() - sentAt;
    if (!running || lookingAt >= waitMs || elapsed >= waitMs) return outcome;
    // Skipped: the times that passed more than a step ago. One that came due during this look is looked at next.
    while (next <= Math.max(lookingAt, elapsed - SagaPace.MIN_STEP_MS)) next = times.next().value;
  }
}
