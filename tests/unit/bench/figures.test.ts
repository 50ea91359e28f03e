import { summarize } from '../../../bench/report';
import { isUnaffordable, type LoadResult } from '../../../bench/load';
import { sagaTime } from '../../../bench/overhead';
import { figures, percentile } from '../../../bench/stats';

describe('benchmark figures', () => {
  it('takes nearest-rank percentiles, so every figure is a latency that was observed', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 99)).toBe(99);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBe(0);
  });

  it('reports completions per second over the run and the errors apart from the latencies', () => {
    expect(figures([30, 10, 20, 40], 2, 3)).toEqual({
      count: 4,
      completedPerSecond: 2,
      p50Ms: 20,
      p95Ms: 40,
      p99Ms: 40,
      maxMs: 40,
      errors: 3,
    });
  });

  it('counts a business rejection as completed and a fault as an error', () => {
    const load: LoadResult = {
      startedAt: 0,
      elapsedMs: 2_000,
      calls: [
        { endpoint: 'create_order', startedAt: 0, ms: 100, status: 200 },
        { endpoint: 'create_order', startedAt: 0, ms: 120, status: 402 },
        { endpoint: 'create_order', startedAt: 0, ms: 900, status: 502, fault: '502' },
        { endpoint: 'create_order', startedAt: 0, ms: 110, status: 200 },
      ],
      sagas: [
        { saga: 'order', startedAt: 0, ms: 100, end: 'confirmed', outcome: 'completed', faults: 0 },
        { saga: 'order', startedAt: 0, ms: 120, end: 'insufficientFunds', outcome: 'rejected', faults: 0 },
        { saga: 'order', startedAt: 0, ms: 1_010, end: 'confirmed', outcome: 'completed', faults: 1 },
        { saga: 'registration', startedAt: 0, ms: 5_000, end: 'abandoned', outcome: 'failed', faults: 8 },
      ],
      acknowledged: { clients: [], deposits: [], orders: [], abandoned: 1 },
    };
    const { sagas, endpoints } = summarize(load);
    expect(sagas.order).toMatchObject({ count: 3, completedPerSecond: 1.5, confirmed: 2, rejected: 1, errors: 1 });
    expect(sagas.order.p99Ms).toBe(1_010);
    expect(sagas.registration).toMatchObject({ count: 0, errors: 9 });
    expect(sagas.order.ends).toMatchObject({ confirmed: 2, insufficientFunds: 1, orderFailed: 0, abandoned: 0 });
    expect(sagas.registration.ends).toMatchObject({ registered: 0, abandoned: 1 });
    expect(endpoints['create_order']).toMatchObject({ count: 3, errors: 1, maxMs: 120 });
  });
});

describe('orchestration overhead', () => {
  const at = (ms: number) => new Date(1_000_000 + ms);
  it('is the saga time not spent between a Task being scheduled and its outcome', () => {
    const events = (
      [
        ['ExecutionStarted', 0],
        ['TaskStateEntered', 2],
        ['LambdaFunctionScheduled', 3],
        ['LambdaFunctionStarted', 3],
        ['LambdaFunctionFailed', 43],
        ['LambdaFunctionScheduled', 60],
        ['LambdaFunctionSucceeded', 100],
        ['ExecutionSucceeded', 105],
      ] as const
    ).map(([type, ms], i) => ({ id: i + 1, type, timestamp: at(ms) }));
    expect(sagaTime({ startDate: at(0), stopDate: at(110) }, events)).toEqual({ sagaMs: 110, taskMs: 80 });
  });
});

describe('the order mix', () => {
  it('makes the given share of a client’s orders unaffordable, evenly spread and early enough', () => {
    const pattern = (share: number, n: number) =>
      Array.from({ length: n }, (_, placed) => isUnaffordable(placed, share));
    expect(
      pattern(0.2, 10)
        .map((u, i) => (u ? i : -1))
        .filter((i) => i >= 0),
    ).toEqual([2, 7]);
    expect(pattern(0.5, 4).filter(Boolean)).toHaveLength(2);
    expect(pattern(0, 20).some(Boolean)).toBe(false);
    expect(pattern(1, 5).every(Boolean)).toBe(true);
  });
});
