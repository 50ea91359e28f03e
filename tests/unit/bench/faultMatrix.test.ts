import {
  MATRIX_FAULTS,
  SAGAS,
  expectedOutcome,
  faultMatrix,
  readDefinition,
  retrySchedule,
  taskRoles,
  type SagaName,
} from '../../../bench/faultMatrix';

/**
 * The fault matrix's expectations come from the pivot rule; here the state machines are held to them: each
 * Task state is a row, a step that fails on every attempt is caught where the rule says, and the matrix covers
 * every state × every fault.
 */
const sagas = Object.keys(SAGAS) as SagaName[];

/** Where a Task's Catch for States.ALL leads, through a Choice's Default, to the Fail state it ends in. */
function endAfterEveryAttemptFails(saga: SagaName, state: string): { compensation?: string; error: string } {
  const definition = readDefinition(saga);
  let target = definition.States[state]!.Catch!.find((c) => c.ErrorEquals.includes('States.ALL'))!.Next;
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
    expect(expectedOutcome('order', 'after the pivot', 'duplicate')).toEqual({
      status: 'SUCCEEDED',
      compensated: false,
    });
    expect(expectedOutcome('order', 'compensation', 'timeout')).toMatchObject({ error: 'InsufficientFunds' });
    expect(expectedOutcome('order', 'before the pivot', 'everyAttempt')).toEqual({
      status: 'FAILED',
      error: 'OrderFailed',
      compensated: true,
    });
    expect(expectedOutcome('registration', 'the pivot', 'everyAttempt')).toMatchObject({
      error: 'NeedsAttention',
      compensated: false,
      redrivable: true,
    });
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

  it('marks the cells whose Retry schedule is minutes long as waiting for the time scale and redrive', () => {
    const order = readDefinition('order');
    expect(retrySchedule(order.States['CreateOrder']!)).toBe(7);
    expect(retrySchedule(order.States['ConfirmOrder']!)).toBe(1023);
    const cells = faultMatrix();
    const cell = (saga: SagaName, state: string) =>
      cells.find((item) => item.saga === saga && item.state === state && item.fault === 'everyAttempt')!;
    expect(cell('order', 'CreateOrder').needs).toBeUndefined();
    expect(cell('order', 'ConfirmOrder').needs).toEqual(['timeScale', 'redrive']);
    expect(cells.filter((item) => item.fault !== 'everyAttempt').every((item) => item.needs === undefined)).toBe(true);
  });
});
