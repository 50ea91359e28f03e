import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The fault matrix of issue 14, as data: for both sagas, every Task state (compensations included) × every
 * kind of fault, and what the design says must follow, derived from the pivot rule alone:
 *
 * - a fault that passes (the step fails once, or is delivered twice) changes nothing: the Task is retried (or
 *   its second delivery finds the first one's effect) and the saga ends as it would have without it;
 * - a step that fails on every attempt before the pivot makes the saga compensate; at or after the pivot, and
 *   in a compensation, it never compensates (again): the execution fails *at that Task*, with the Task's own
 *   error, and is redrivable; once the cause is cleared, a redrive resumes it there and it must end as it
 *   would have without the fault, with money moved once.
 *
 * The state machines are checked against these expectations (tests/unit/bench/faultMatrix.test.ts); a runner
 * (bench/faultMatrixRun.ts) strikes each cell on a shared local cloud and writes one bench/faultReport.ts row
 * per cell.
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
  /** Failed at this Task (not in a Fail state of the saga's), redrivable: it waits for an operator. */
  stoppedAt?: string;
  /** How it must end once the cause is cleared and it is redriven (when it stopped at a Task). */
  afterRedrive?: Outcome;
}

export interface MatrixCell {
  saga: SagaName;
  state: string;
  role: Role;
  fault: MatrixFault;
  /** How the saga is led to the state: the happy path, or the business refusal that starts the compensation. */
  scenario: string;
  expected: Outcome;
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

/**
 * The error a step that fails on every attempt fails with (the fault plan's, a Lambda service error): no
 * business error, so every Retry treats it as transient, and from the pivot on the execution fails with it.
 */
export const EVERY_ATTEMPT_ERROR = 'Lambda.ServiceException';

/** The expected outcome of one cell, from the pivot rule (not from the definitions, which it checks). */
export function expectedOutcome(saga: SagaName, state: string, role: Role, fault: MatrixFault): Outcome {
  const path = role === 'compensation' ? UNDISTURBED[saga].compensation : UNDISTURBED[saga].forward;
  if (fault !== 'everyAttempt') return path;
  if (role === 'before the pivot') return { status: 'FAILED', error: COMPENSATED_FAILURE[saga], compensated: true };
  // At or after the pivot, or in a compensation: never (again) compensate; stop at the Task, to be redriven.
  return {
    status: 'FAILED',
    error: EVERY_ATTEMPT_ERROR,
    compensated: role === 'compensation',
    stoppedAt: state,
    afterRedrive: path,
  };
}

export function faultMatrix(root = process.cwd()): MatrixCell[] {
  const cells: MatrixCell[] = [];
  for (const saga of Object.keys(SAGAS) as SagaName[]) {
    const definition = readDefinition(saga, root);
    for (const { state, role } of taskRoles(saga, definition)) {
      for (const fault of MATRIX_FAULTS) {
        cells.push({
          saga,
          state,
          role,
          fault,
          scenario: role === 'compensation' ? SAGAS[saga].compensationScenario : 'the happy path',
          expected: expectedOutcome(saga, state, role, fault),
        });
      }
    }
  }
  return cells;
}
