import { checkInvariants, formatInvariants, localCloudSources } from '../../bench/invariants';
import { createOrder, deposit, registerAndSignIn } from './support/journey';
import { testPorts } from '../support/ports';
import { STAGE } from './support/stack';

/**
 * The chaos run's invariants over real sagas of the suite's local cloud. Other tests share its data (some
 * of it broken on purpose, through the dev API), so this checks the clients it made itself.
 */
describe('Invariants over a few real sagas', () => {
  it('hold for confirmed and rejected orders, a repeated order and a top-up', async () => {
    const [ivan, olga] = await Promise.all([registerAndSignIn(), registerAndSignIn()]);
    await Promise.all([deposit(ivan, 50), deposit(olga, 5)]);

    const answers = await Promise.all([
      createOrder(ivan, 20, 'first'),
      createOrder(ivan, 20, 'first'),
      createOrder(ivan, 100),
      // Olga's second order comes after her first has spent everything.
      createOrder(olga, 5).then(async (first) => [first, await createOrder(olga, 0.01)]),
    ]);

    expect(answers.flat().map((answer) => answer.status)).toEqual([200, 200, 402, 200, 402]);
    const results = await checkInvariants(
      localCloudSources({ ports: testPorts(), stage: STAGE, clientIds: [ivan.clientId, olga.clientId] }),
    );
    expect(results.map(({ name, holds, violations }) => ({ name, holds, violations }))).toEqual(
      results.map(({ name }) => ({ name, holds: true, violations: [] })),
    );
    // What was looked at: 2 accounts, 2 deposits and 2 withdrawals, 4 orders, 2 clients, 4 notifications, and
    // (with a filter, only running executions are asked whose they are) none of their sagas still running.
    expect(results.map((result) => result.checked)).toEqual([2 + 4 + 4, 2 + 4, 4 + 2, 0 + 2 + 4, 2 + 4 + 4]);
    expect(formatInvariants(results)).not.toContain('FAILS');
  });
});
