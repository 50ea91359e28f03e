/**
 * A clock you can speed up: `timeScale` 0.01 runs every Retry interval and Wait state at a hundredth of its
 * length, so schedules of minutes (ten attempts after a saga's pivot) run in seconds. It scales the copy of
 * the definition the interpreter runs (never the one DescribeStateMachine serves): `IntervalSeconds` and
 * `MaxDelaySeconds` of each retrier, `Seconds` of each Wait state. `BackoffRate`, `MaxAttempts` and the
 * jitter stay as written, so an execution takes the same path and records the same events, only sooner.
 * (aws-local-stepfunctions' `retryIntervalOverrides` would replace a retrier's backoff and jitter with one
 * fixed delay, which is why the definition is scaled instead.)
 *
 * What it leaves at real time: Task timeouts (they race real functions), and Wait states timed by
 * `SecondsPath`, `Timestamp` or `TimestampPath` (known only at run time).
 *
 * And one guarantee it must not break. A retrier of `RequestInProgress` exists to outlast a function's
 * idempotency lock, which an attempt that died after writing holds until its function's timeout: a real
 * duration, which no scale shortens. So such a retrier is scaled only as far as its whole schedule still
 * waits twice the longest function timeout (the margin the unscaled definitions keep); scaled any further,
 * a redelivered pivot would spend its attempts on the lock and fail although nothing is wrong.
 */
import { RequestInProgress } from '../../lib/common/errors';

/** A Retrier of an ASL Task state, as the definitions write it. */
export interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  MaxAttempts?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
}

/** The errors whose retriers wait on a lock held for a real function timeout. */
const LOCK_ERRORS = [new RequestInProgress('').name];

/** A retrier's whole schedule in seconds, without jitter: the sum of its delays, each capped. */
export function retrySchedule(retrier: Retrier): number {
  const interval = retrier.IntervalSeconds ?? 1;
  const backoff = retrier.BackoffRate ?? 2;
  let total = 0;
  for (let attempt = 0; attempt < (retrier.MaxAttempts ?? 3); attempt += 1) {
    total += Math.min(interval * backoff ** attempt, retrier.MaxDelaySeconds ?? Infinity);
  }
  return total;
}

/** The factor a retrier's delays are multiplied by under `timeScale`. */
export function retrierScale(retrier: Retrier, timeScale: number, lockSeconds: number): number {
  if (!retrier.ErrorEquals.some((error) => LOCK_ERRORS.includes(error))) return timeScale;
  const schedule = retrySchedule(retrier);
  // Never shorter than twice the lock, and never longer than written (a schedule already too short stays so).
  const floor = schedule === 0 ? 1 : Math.min(1, (2 * lockSeconds) / schedule);
  return Math.max(timeScale, floor);
}

export function assertTimeScale(timeScale: number): void {
  if (!Number.isFinite(timeScale) || timeScale <= 0) {
    throw new Error(`The time scale must be a positive number (1 is real time), not ${timeScale}`);
  }
}

/** A copy of `definition` (already a private copy) with its retry delays and Wait seconds scaled, in place. */
export function scaleDefinition(
  definition: Record<string, unknown>,
  timeScale: number,
  lockSeconds: number,
): Record<string, unknown> {
  if (timeScale === 1) return definition;
  const visit = (machine: unknown) => {
    const states = (machine as { States?: Record<string, Record<string, unknown>> } | undefined)?.States ?? {};
    for (const state of Object.values(states)) {
      for (const retrier of (state['Retry'] as Retrier[] | undefined) ?? []) {
        const factor = retrierScale(retrier, timeScale, lockSeconds);
        retrier.IntervalSeconds = (retrier.IntervalSeconds ?? 1) * factor;
        if (retrier.MaxDelaySeconds !== undefined) retrier.MaxDelaySeconds *= factor;
      }
      if (state['Type'] === 'Wait' && typeof state['Seconds'] === 'number') state['Seconds'] *= timeScale;
      for (const branch of (state['Branches'] as unknown[] | undefined) ?? []) visit(branch);
      visit(state['Iterator']);
      visit(state['ItemProcessor']);
    }
  };
  visit(definition);
  return definition;
}
