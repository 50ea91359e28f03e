import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The fault matrix of issue 14, as data: for both sagas, every Task state (compensations included) × every
 * kind of fault, and what the design says must follow, derived from the pivot rule alone:
 *
 * - a fault that passes (the step fails once, or is delivered twice) changes nothing: the Task is retried and
 *   the saga ends as it would have without it;
 * - a step that fails on every attempt before the pivot makes the saga compensate; at or after the pivot, and
 *   in a compensation, it never compensates: the execution fails with NeedsAttention, to be redriven once the
 *   cause is cleared (then it must complete, with money moved once).
 *
 * The state machines are checked against these expectations (tests/unit/bench/faultMatrix.test.ts); a runner
 * that strikes each cell on a shared local cloud writes one bench/faultReport.ts row per cell. Cells whose Retry
 * schedule lasts minutes say so (`needs`): they wait for the Step Functions time scale and RedriveExecution.
 */

export type SagaName = 'registration' | 'order';
export const MATRIX_FAULTS = ['beforeWrite', 'afterWrite', 'timeout', 'duplicate', 'everyAttempt'] as const;
export type MatrixFault = (typeof MATRIX_FAULTS)[number];
export type Role = 'before the pivot' | 'the pivot' | 'after the pivot' | 'compensation';

/** The pivot of each saga (the step after which it only goes forward), as the definitions' comments name it. */
export const SAGAS: Record<SagaName, { definition: string; pivot: string; compensationScenario: string }> = {
  registration: {
    definition: 'state-machines/registration.asl.json',
    pivot: 'RegisterUser',
    // RejectClient runs when the login turns out to be taken at the pivot.
    compensationScenario: 'a login already taken',
  },
  order: {
    definition: 'state-machines/order.asl.json',
    pivot: 'Withdraw',
    // RejectOrder runs when the withdrawal is refused.
    compensationScenario: 'an order beyond the balance',
  },
};

/** How the saga of a cell ends when nothing (or a passing fault) struck; the business refusal of a compensation. */
const UNDISTURBED: Record<SagaName, { forward: Outcome; compensation: Outcome }> = {
  registration: {
    forward: { status: 'SUCCEEDED', compensated: false },
    compensation: { status: 'FAILED', error: 'LoginTaken', compensated: true },
  },
  order: {
    forward: { status: 'SUCCEEDED', compensated: false },
    compensation: { status: 'FAILED', error: 'InsufficientFunds', compensated: true },
  },
};

/** The end a saga's compensation reaches when a step before its pivot failed on every attempt. */
const COMPENSATED_FAILURE: Record<SagaName, string> = { registration: 'RegistrationFailed', order: 'OrderFailed' };

export interface Outcome {
  status: 'SUCCEEDED' | 'FAILED';
  /** The execution's error when it FAILED. */
  error?: string;
  /** Whether the compensation ran. */
  compensated: boolean;
  /** Failed, to be redriven from the step that failed once its cause is cleared. */
  redrivable?: boolean;
}

export interface MatrixCell {
  saga: SagaName;
  state: string;
  role: Role;
  fault: MatrixFault;
  /** How the saga is led to the state: the happy path, or the business refusal that starts the compensation. */
  scenario: string;
  expected: Outcome;
  /** What the cell waits for before it can run in seconds: its Retry schedule is minutes long. */
  needs?: ('timeScale' | 'redrive')[];
}

interface AslState {
  Type: string;
  Next?: string;
  Catch?: { ErrorEquals: string[]; Next: string }[];
  Retry?: { ErrorEquals: string[]; MaxAttempts?: number; IntervalSeconds?: number; BackoffRate?: number }[];
}
export interface Definition {
  StartAt: string;
  States: Record<string, AslState>;
}

export function readDefinition(saga: SagaName, root = process.cwd()): Definition {
  return JSON.parse(readFileSync(join(root, SAGAS[saga].definition), 'utf8')) as Definition;
}

/** The Task states in order: the forward path from StartAt (by Next), then those only a Catch reaches. */
export function taskRoles(saga: SagaName, definition: Definition): { state: string; role: Role }[] {
  const forward: string[] = [];
  for (let name: string | undefined = definition.StartAt; name !== undefined; name = definition.States[name]?.Next) {
    if (definition.States[name]?.Type === 'Task') forward.push(name);
  }
  const pivotAt = forward.indexOf(SAGAS[saga].pivot);
  if (pivotAt < 0) throw new Error(`${saga}: the pivot ${SAGAS[saga].pivot} is not on the forward path`);
  const roles = forward.map((state, index) => ({
    state,
    role: (index < pivotAt ? 'before the pivot' : index === pivotAt ? 'the pivot' : 'after the pivot') as Role,
  }));
  const compensations = Object.entries(definition.States)
    .filter(([name, state]) => state.Type === 'Task' && !forward.includes(name))
    .map(([state]) => ({ state, role: 'compensation' as Role }));
  return [...roles, ...compensations];
}

/** Seconds a Task's transient Retry (States.ALL) waits in all before it gives up. */
export function retrySchedule(state: AslState): number {
  const retrier = state.Retry?.find((retry) => retry.ErrorEquals.includes('States.ALL'));
  if (retrier === undefined) return 0;
  let total = 0;
  for (let attempt = 0; attempt < (retrier.MaxAttempts ?? 3); attempt += 1) {
    total += (retrier.IntervalSeconds ?? 1) * (retrier.BackoffRate ?? 2) ** attempt;
  }
  return total;
}

/** Longer than this, a cell's schedule waits for the time scale. */
export const FAST_SCHEDULE_S = 15;

/** The expected outcome of one cell, from the pivot rule (not from the definitions, which it checks). */
export function expectedOutcome(saga: SagaName, role: Role, fault: MatrixFault): Outcome {
  const path = role === 'compensation' ? UNDISTURBED[saga].compensation : UNDISTURBED[saga].forward;
  if (fault !== 'everyAttempt') return path;
  if (role === 'before the pivot') return { status: 'FAILED', error: COMPENSATED_FAILURE[saga], compensated: true };
  // At or after the pivot, or in a compensation: never (again) compensate; wait to be redriven.
  return { status: 'FAILED', error: 'NeedsAttention', compensated: role === 'compensation', redrivable: true };
}

export function faultMatrix(root = process.cwd()): MatrixCell[] {
  const cells: MatrixCell[] = [];
  for (const saga of Object.keys(SAGAS) as SagaName[]) {
    const definition = readDefinition(saga, root);
    for (const { state, role } of taskRoles(saga, definition)) {
      for (const fault of MATRIX_FAULTS) {
        const expected = expectedOutcome(saga, role, fault);
        const needs: MatrixCell['needs'] = [];
        if (fault === 'everyAttempt' && retrySchedule(definition.States[state]!) > FAST_SCHEDULE_S)
          needs.push('timeScale');
        if (expected.redrivable) needs.push('redrive');
        cells.push({
          saga,
          state,
          role,
          fault,
          scenario: role === 'compensation' ? SAGAS[saga].compensationScenario : 'the happy path',
          expected,
          ...(needs.length > 0 ? { needs } : {}),
        });
      }
    }
  }
  return cells;
}
