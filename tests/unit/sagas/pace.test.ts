import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { awaitSaga, paceOf, SagaPace } from '../../../lib/sagas/saga';

const sfn = mockClient(SFNClient);
const first = (delays: Generator<number>, count: number) => Array.from({ length: count }, () => delays.next().value);

describe('Saga: when a saga-starting call looks at its saga', () => {
  beforeEach(() => sfn.reset());

  // The schedule is of times from the start of the wait (it was of intervals between looks, which a look's own
  // round trip pushed back): the same 25, 50, 100 … intervals, as times.
  it('looks at 25 ms and doubles the interval up to 250 ms before it knows how long a saga takes', () => {
    expect(first(new SagaPace().lookTimes(), 7)).toEqual([25, 75, 175, 375, 625, 875, 1125]);
  });

  it('looks first a deviation before the typical duration, then at half-deviation intervals that grow', () => {
    // Prepare: one saga of 200 ms seen (the deviation starts at a quarter of it).
    const pace = new SagaPace();
    pace.observe(200);

    // Act and assess: at 150 ms, then 25, 37.5, 56.25 … later.
    expect(first(pace.lookTimes(), 4)).toEqual([150, 175, 212.5, 268.75]);
  });

  it('sees steady sagas within a few milliseconds, and looks at scattered ones less often', () => {
    const steady = new SagaPace();
    const scattered = new SagaPace();
    for (let i = 0; i < 20; i++) {
      steady.observe(100);
      scattered.observe(i % 2 === 0 ? 50 : 150);
    }
    const looksUntil = (pace: SagaPace, end: number) => {
      const times = pace.lookTimes();
      for (let looks = 1; ; looks++) {
        const at = times.next().value;
        if (at >= end) return { looks, late: at - end };
      }
    };

    // A steady saga's end (100 ms) is seen within MIN_STEP_MS, in two looks.
    const seen = looksUntil(steady, 100);
    expect(seen.late).toBeLessThanOrEqual(SagaPace.MIN_STEP_MS);
    expect(seen.looks).toBeLessThanOrEqual(2);
    // Scattered ones (50 or 150 ms): at most four looks whichever it is.
    expect(looksUntil(scattered, 50).looks).toBeLessThanOrEqual(4);
    expect(looksUntil(scattered, 150).looks).toBeLessThanOrEqual(4);
  });

  it('skips the times that passed while a slow look was on its way, rather than looking back to back', async () => {
    // Prepare: a pace that knows one 100 ms saga (looks at 75, 87.5, 106.25, 134.4 … ms), and a look that takes
    // 20 ms to answer RUNNING, then a closed execution.
    const executionArn = 'arn:aws:states:us-east-1:000000000000:execution:shop-test-slowLooks:key-3';
    paceOf(executionArn).observe(100);
    const running = { name: 'key-3', status: 'RUNNING' as const, input: '{}' };
    const times: number[] = [];
    const started = Date.now();
    sfn.on(DescribeExecutionCommand).callsFake(async () => {
      times.push(Date.now() - started);
      if (times.length === 1) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        return running;
      }
      return { ...running, status: 'SUCCEEDED', output: '{}', startDate: new Date(0), stopDate: new Date(100) };
    });

    // Act
    await awaitSaga(executionArn);

    // Assess: the first look at 75 ms answered at 95 ms; 87.5 had passed, so the next look is at 106.25 ms, not
    // at once.
    expect(times).toHaveLength(2);
    expect(times[0]).toBeGreaterThanOrEqual(74);
    expect(times[1]).toBeGreaterThanOrEqual(104);
  });

  it('keeps a moving average of the durations it has seen', () => {
    const pace = new SagaPace();
    pace.observe(200);
    pace.observe(100);

    expect(pace.typical()).toBe(180);
  });

  it('looks until the execution closes and learns its duration from the execution itself', async () => {
    // Prepare: two looks find it running, the third closed after 40 ms.
    const executionArn = 'arn:aws:states:us-east-1:000000000000:execution:shop-test-paceSaga:key-1';
    const running = { name: 'key-1', status: 'RUNNING' as const, input: '{}' };
    sfn
      .on(DescribeExecutionCommand)
      .resolvesOnce(running)
      .resolvesOnce(running)
      .resolves({
        ...running,
        status: 'SUCCEEDED',
        output: '{"ok":true}',
        startDate: new Date(1_000),
        stopDate: new Date(1_040),
      });

    // Act
    const outcome = await awaitSaga(executionArn);

    // Assess
    expect(outcome).toMatchObject({ status: 'SUCCEEDED', output: { ok: true } });
    expect(sfn).toHaveReceivedCommandTimes(DescribeExecutionCommand, 3);
    expect(paceOf(executionArn).typical()).toBe(40);
  });

  it('answers with the running saga once the wait is over', async () => {
    // Prepare
    const executionArn = 'arn:aws:states:us-east-1:000000000000:execution:shop-test-slowSaga:key-2';
    sfn.on(DescribeExecutionCommand).resolves({ name: 'key-2', status: 'RUNNING', input: '{}' });

    // Act
    const started = Date.now();
    const outcome = await awaitSaga(executionArn, 120);

    // Assess: looks at 25, 75 and 120 ms (the last one at the deadline), then gives up.
    expect(outcome.status).toBe('RUNNING');
    expect(Date.now() - started).toBeGreaterThanOrEqual(115);
    expect(sfn).toHaveReceivedCommandTimes(DescribeExecutionCommand, 3);
  });
});
