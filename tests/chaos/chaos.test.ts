import { runChaos, type ChaosReport } from '../../bench/chaosRun';
import { FAULT_KINDS } from '../../local/faults/settings';
import { TEST_TIME_SCALE } from '../integration/support/globalSetup';
import { TEST_PORT_OFFSETS, testPortBase } from '../support/ports';

/**
 * The short chaos run of `npm test` (`npm run chaos` is the long one): the benchmark's load for 30 s against a
 * cloud of its own whose state-changing functions fail on purpose in one call out of five, then the
 * invariants over everything that was written. Its Step Functions clock runs at the suite's time scale: the
 * retries' backoff takes a hundredth of its time, the RequestInProgress retriers still outlast the real
 * idempotency locks the `after` and `timeout` faults leave (local/stepfunctions/timeScale.ts).
 */
describe('a short chaos run', () => {
  let report: ChaosReport;

  beforeAll(async () => {
    report = await runChaos({
      // About 40 faults a run: enough that each of the four kinds, picked at random, happens (a kind missing
      // is a chance of about 4 × 0.75^40).
      users: 6,
      durationS: 30,
      faults: { rate: 0.2 },
      drainTimeoutS: 240,
      timeScale: TEST_TIME_SCALE,
      portBase: testPortBase() + TEST_PORT_OFFSETS.chaos,
      mix: { ordersPerClient: 10 },
    });
  }, 420_000);

  it('injected every kind of fault', () => {
    for (const kind of FAULT_KINDS) expect(report.injected[kind] ?? 0).toBeGreaterThan(0);
  });

  it('ran sagas of both kinds to their end, with orders confirmed and rejected', () => {
    const orders = report.load.acknowledged.orders;
    expect(report.load.acknowledged.clients.length).toBeGreaterThan(0);
    expect(orders.filter((order) => order.status === 'CONFIRMED').length).toBeGreaterThan(0);
    expect(orders.filter((order) => order.status === 'REJECTED').length).toBeGreaterThan(0);
    expect(report.stillRunning).toBe(0);
  });

  it('kept every invariant, each checked over the data', () => {
    expect(report.invariants.filter((invariant) => !invariant.holds)).toEqual([]);
    expect(report.invariants).toHaveLength(6);
    for (const invariant of report.invariants) expect(invariant.checked).toBeGreaterThan(0);
    expect(report.holds).toBe(true);
  });
});
