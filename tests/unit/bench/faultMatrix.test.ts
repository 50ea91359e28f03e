import {
  EVERY_ATTEMPT_ERROR,
  MATRIX_FAULTS,
  SAGAS,
  expectedOutcome,
  faultMatrix,
  readDefinition,
  taskRoles,
  type SagaName,
} from '../../../bench/faultMatrix';
import { endOf } from '../../../bench/faultMatrixRun';

/**
 * The fault matrix's expectations come from the pivot rule; here the state machines are held to them: each
 * Task state is a row, a step that fails on every attempt is caught where the rule says (or, from the pivot on,
 * not caught at all, so the execution fails at that step), and the matrix covers every state × every fault.
 */
const sagas = Object.keys(SAGAS) as SagaName[];

/**
 * Where a transient error that outlasts a Task's retries leads: through its Catch for States.ALL (and a Choice's
 * Default) to the Fail state it ends in, or, with no such Catch, nowhere: the execution fails at the Task with
 * the error itself.
 */
function endAfterEveryAttemptFails(saga: SagaName, state: string): { compensation?: string; error: string } {
  const definition = readDefinition(saga);
  const catcher = definition.States[state]!.Catch?.find((c) => c.ErrorEquals.includes('States.ALL'));
  if (catcher === undefined) return { error: EVERY_ATTEMPT_ERROR };
  let target = catcher.Next;
  let compensation: string | undefined;
  for (;;) {
    const next = definition.States[target]! as { Type: string; Next?: string; Default?: string; Error?: string };
    if (next.Type === 'Fail') return { ...(compensation ? { compensation } : {}), error: next.Error! };
    if (next.Type === 'Task') compensation = target;
    target = (next.Type === 'Choice' ? next.Default : next.Next)!;
  }
}

describe('Function: faultMatrix', () => {
  it('has one cell per Task state and fault kind, compensations included', () => {
    const cells = faultMatrix();
    for (const saga of sagas) {
      const tasks = Object.entries(readDefinition(saga).States).filter(([, state]) => state.Type === 'Task');
      expect(cells.filter((cell) => cell.saga === saga)).toHaveLength(tasks.length * MATRIX_FAULTS.length);
    }
    expect(cells.filter((cell) => cell.role === 'compensation').map((cell) => cell.state)).toEqual(
      expect.arrayContaining(['RejectOrder', 'RejectClient']),
    );
  });

  it('puts each saga’s pivot where its definition’s comment says', () => {
    for (const saga of sagas) {
      const definition = readDefinition(saga) as { Comment?: string };
      expect(definition.Comment).toMatch(/\(pivot\)/);
      expect(taskRoles(saga, readDefinition(saga)).find((task) => task.role === 'the pivot')?.state).toBe(
        SAGAS[saga].pivot,
      );
    }
  });

  it('expects a passing fault to change nothing, and a step failing on every attempt to follow the pivot rule', () => {
    expect(expectedOutcome('order', 'ConfirmOrder', 'after the pivot', 'duplicate')).toEqual({
      status: 'SUCCEEDED',
      compensated: false,
    });
    expect(expectedOutcome('order', 'RejectOrder', 'compensation', 'timeout')).toMatchObject({
      error: 'InsufficientFunds',
    });
    expect(expectedOutcome('order', 'CreateOrder', 'before the pivot', 'everyAttempt')).toEqual({
      status: 'FAILED',
      error: 'OrderFailed',
      compensated: true,
    });
    expect(expectedOutcome('registration', 'RegisterUser', 'the pivot', 'everyAttempt')).toEqual({
      status: 'FAILED',
      error: EVERY_ATTEMPT_ERROR,
      compensated: false,
      stoppedAt: 'RegisterUser',
      afterRedrive: { status: 'SUCCEEDED', compensated: false },
    });
    // A compensation that keeps failing stops there; redriven, it ends as the refusal it was compensating.
    expect(expectedOutcome('order', 'RejectOrder', 'compensation', 'everyAttempt')).toEqual({
      status: 'FAILED',
      error: EVERY_ATTEMPT_ERROR,
      compensated: true,
      stoppedAt: 'RejectOrder',
      afterRedrive: { status: 'FAILED', error: 'InsufficientFunds', compensated: true },
    });
  });

  it('expects the client to hear a stopped saga as waiting for a redrive, and each end of its own as that end', () => {
    const cells = faultMatrix();
    const stopped = cells.filter((cell) => cell.expected.stoppedAt !== undefined);
    // From the pivot on: RegisterUser, ApproveClient, CreateAccount, NotifyClientCreated, Withdraw, ConfirmOrder,
    // NotifyOrderCreated; and the compensations RejectClient, RejectOrder.
    expect(stopped).toHaveLength(9);
    for (const cell of stopped) {
      expect(endOf(cell, cell.expected)).toBe('waitingForRedrive');
      expect(endOf(cell, cell.expected.afterRedrive!)).not.toBe('waitingForRedrive');
    }
    expect(endOf({ saga: 'order' }, { status: 'FAILED', error: 'OrderFailed', compensated: true })).toBe('orderFailed');
    expect(endOf({ saga: 'registration' }, { status: 'SUCCEEDED', compensated: false })).toBe('registered');
  });

  it('finds the state machines doing what the pivot rule expects when a step fails on every attempt', () => {
    for (const cell of faultMatrix().filter((item) => item.fault === 'everyAttempt')) {
      const end = endAfterEveryAttemptFails(cell.saga, cell.state);
      expect({ cell: `${cell.saga}.${cell.state}`, error: end.error }).toEqual({
        cell: `${cell.saga}.${cell.state}`,
        error: cell.expected.error,
      });
      // Before the pivot the compensation runs; at or after it, none does.
      expect(end.compensation !== undefined).toBe(cell.role === 'before the pivot');
    }
  });
});
