import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { awaitSaga, paceOf, SagaPace } from '../../../lib/sagas/saga';

const sfn = mockClient(SFNClient);
const first = (times: Generator<number>, count: number) => Array.from({ length: count }, () => times.next().value);
const observeAll = (pace: SagaPace, durations: number[], now = Date.now()) => {
  for (const duration of durations) pace.observe(duration, now);
};
/** How many looks the schedule takes to see a saga that ends at `end`, and how late the one that sees it is. */
const looksUntil = (pace: SagaPace, end: number) => {
  const times = pace.lookTimes();
  for (let looks = 1; ; looks++) {
    const at = times.next().value;
    if (at >= end) return { looks, late: at - end };
  }
};

/**
 * Runs `awaitSaga` on a clock of the test's own, from `now`, so that a loaded machine's late or early timers
 * cannot move its looks; each look is answered by `answer`, given how many there have been. Returns the looks'
 * times (the fake clock's, in whole milliseconds as Date.now() reads them) and what `awaitSaga` answered.
 * `timersEarlyMs` makes every timer fire that much before it is due.
 */
async function looksOnOwnClock(
  started: { executionArn: string; sentAt: number },
  answer: (looks: number) => object | Promise<object>,
  { now = 0, waitMs, timersEarlyMs }: { now?: number; waitMs?: number; timersEarlyMs?: number } = {},
) {
  jest.useFakeTimers({ now });
  const fakeSetTimeout = global.setTimeout;
  const early =
    timersEarlyMs === undefined
      ? undefined
      : jest
          .spyOn(global, 'setTimeout')
          .mockImplementation(((callback: () => void, ms?: number) =>
            fakeSetTimeout(callback, Math.max(0, (ms ?? 0) - timersEarlyMs))) as typeof setTimeout);
  const lookedAt: number[] = [];
  sfn.on(DescribeExecutionCommand).callsFake(async () => {
    lookedAt.push(Date.now());
    // A time looked at again and again would never let the fake clock move: the execution closes at the 20th.
    if (lookedAt.length >= 20) return { name: 'closed', status: 'SUCCEEDED', input: '{}', output: '{}' };
    return answer(lookedAt.length);
  });
  try {
    const waiting = awaitSaga(started, waitMs);
    await jest.advanceTimersByTimeAsync(300);
    return { lookedAt, outcome: await waiting };
  } finally {
    early?.mockRestore();
    jest.useRealTimers();
  }
}

// The pace was a moving average and a mean deviation of the durations; it is now the quantiles of the recent
// durations (lib/sagas/saga.ts says why: refused orders end sooner than confirmed ones, and a cold start's slow
// sagas held the average up), so these tests are of quantiles, of the samples kept and of the times they give.
describe('Saga: when a saga-starting call looks at its saga', () => {
  beforeEach(() => sfn.reset());

  it('looks at 25 ms, then at intervals of 25 ms growing by half, before it knows how long sagas take', () => {
    const pace = new SagaPace();
    observeAll(pace, [100, 100, 100]); // fewer than MIN_SAMPLES

    expect(first(pace.lookTimes(), 8)).toEqual([25, 50, 87.5, 143.75, 228.125, 354.6875, 544.53125, 794.53125]);
  });

  it('looks at the middles of six equal shares of the recent durations, then at intervals that grow', () => {
    // Prepare: twelve sagas of 10, 20 … 120 ms.
    const pace = new SagaPace();
    observeAll(
      pace,
      Array.from({ length: 12 }, (_, i) => (12 - i) * 10),
    );

    // Act and assess: the 1/12 … 11/12 quantiles, then the distance between the last two (20 ms), growing by
    // half.
    expect(first(pace.lookTimes(), 9)).toEqual([20, 40, 60, 80, 100, 120, 140, 170, 215]);
  });

  it('sees steady sagas at their end, in one look', () => {
    const pace = new SagaPace();
    observeAll(pace, Array<number>(20).fill(100));

    expect(looksUntil(pace, 100)).toEqual({ looks: 1, late: 0 });
    // One that runs a little longer: seen at the intervals that start at MIN_STEP_MS (1 ms) and grow by half
    // (101, 102.5, 104.75).
    expect(looksUntil(pace, 103)).toEqual({ looks: 4, late: 1.75 });
  });

  it('sees the shorter sagas of two groups at their end, and the longer ones soon after', () => {
    // Prepare: one saga in five ends at 50 ms (an order refused), the others at 95 to 105 ms (confirmed).
    const pace = new SagaPace();
    observeAll(
      pace,
      Array.from({ length: 30 }, (_, i) => (i % 5 === 0 ? 50 : 95 + (i % 11))),
    );

    // Act and assess: a refused order is seen by the first look; a confirmed one within MIN_STEP_MS of its end,
    // the quantiles of 95-105 ms being looks 1 to 2 ms apart (50, 95, 97 … 105): more looks, each one nearer.
    expect(looksUntil(pace, 50)).toEqual({ looks: 1, late: 0 });
    for (const end of [95, 100, 105]) {
      const seen = looksUntil(pace, end);
      expect(seen.late).toBeLessThanOrEqual(SagaPace.MIN_STEP_MS);
      expect(seen.looks).toBeLessThanOrEqual(7);
    }
  });

  it('is not held up by the slow sagas of a cold start, and forgets sagas that are too old to say much', () => {
    // Prepare: four sagas of a cold start (800 ms), then four of 100 ms.
    const pace = new SagaPace();
    observeAll(pace, [800, 800, 800, 800, 100, 100, 100, 100], 0);

    // Assess: the first look is at 100 ms, not at the cold start's time.
    expect(first(pace.lookTimes(0), 1)).toEqual([100]);
    // A minute later (MAX_AGE_MS) they are all forgotten: the schedule is the one of a pace that knows none.
    expect(pace.recentDurations(SagaPace.MAX_AGE_MS + 1)).toEqual([]);
    expect(first(pace.lookTimes(SagaPace.MAX_AGE_MS + 1), 2)).toEqual([25, 50]);
  });

  it('keeps the durations of the last SAMPLES sagas, oldest first', () => {
    const pace = new SagaPace();
    observeAll(
      pace,
      Array.from({ length: SagaPace.SAMPLES + 3 }, (_, i) => i),
    );

    expect(pace.recentDurations()).toEqual(Array.from({ length: SagaPace.SAMPLES }, (_, i) => i + 3));
  });

  it('counts the look times from when the StartExecution was sent', async () => {
    // Prepare: a pace that looks at 100 ms, and a saga whose StartExecution was sent 60 ms before the wait.
    const executionArn = 'arn:aws:states:us-east-1:000000000000:execution:shop-test-sentAt:key-4';
    observeAll(paceOf(executionArn), [100, 100, 100, 100]);

    // Act
    const { lookedAt } = await looksOnOwnClock(
      { executionArn, sentAt: 0 },
      () => ({ name: 'key-4', status: 'SUCCEEDED', input: '{}', output: '{}' }),
      { now: 60 },
    );

    // Assess: the look came 100 ms after the send, 40 ms after the wait began.
    expect(lookedAt).toEqual([100]);
  });

  it('skips the times that passed while a slow look was on its way, rather than looking back to back', async () => {
    // Prepare: a pace that knows four 100 ms sagas (looks at 100, 101, 102.5, 104.75, 108.125, 113.1875,
    // 120.78125, 132.171875, 149.2578125 … ms), and a look that takes 35 ms to answer RUNNING, then a closed
    // execution.
    const executionArn = 'arn:aws:states:us-east-1:000000000000:execution:shop-test-slowLooks:key-3';
    observeAll(paceOf(executionArn), [100, 100, 100, 100]);
    const running = { name: 'key-3', status: 'RUNNING' as const, input: '{}' };

    // Act
    const { lookedAt } = await looksOnOwnClock({ executionArn, sentAt: 0 }, async (looks) => {
      if (looks > 1)
        return { ...running, status: 'SUCCEEDED', output: '{}', startDate: new Date(0), stopDate: new Date(100) };
      await new Promise((resolve) => setTimeout(resolve, 35));
      return running;
    });

    // Assess: the first look at 100 ms answered at 135 ms; 101 to 132.2 had passed, so the next look is at
    // 149.3 ms (read in whole milliseconds), not at once.
    expect(lookedAt).toEqual([100, 149]);
  });

  it('looks at once at a time that came due during the last look, rather than a timer later', async () => {
    // Prepare: a pace that looks at 100 and 104 ms (four sagas of each); the first look takes 4 ms to answer
    // RUNNING, so 104 comes due as it answers; the second answers SUCCEEDED.
    const executionArn = 'arn:aws:states:us-east-1:000000000000:execution:shop-test-dueNow:key-5';
    observeAll(paceOf(executionArn), [100, 100, 100, 100, 104, 104, 104, 104], 0);
    const running = { name: 'key-5', status: 'RUNNING' as const, input: '{}' };

    // Act
    const { lookedAt } = await looksOnOwnClock({ executionArn, sentAt: 0 }, (looks) => {
      if (looks > 1)
        return { ...running, status: 'SUCCEEDED', output: '{}', startDate: new Date(0), stopDate: new Date(104) };
      jest.setSystemTime(Date.now() + 4);
      return running;
    });

    // Assess: the look at 104 ms went as the first answered, not at 105 after a millisecond's timer.
    expect(lookedAt).toEqual([100, 104]);
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
    const outcome = await awaitSaga({ executionArn, sentAt: Date.now() });

    // Assess
    expect(outcome).toMatchObject({ status: 'SUCCEEDED', output: { ok: true } });
    expect(sfn).toHaveReceivedCommandTimes(DescribeExecutionCommand, 3);
    expect(paceOf(executionArn).recentDurations()).toEqual([40]);
  });

  it('answers with the running saga once the wait is over', async () => {
    // Act
    const executionArn = 'arn:aws:states:us-east-1:000000000000:execution:shop-test-slowSaga:key-2';
    const { lookedAt, outcome } = await looksOnOwnClock(
      { executionArn, sentAt: 0 },
      () => ({ name: 'key-2', status: 'RUNNING', input: '{}' }),
      { waitMs: 120 },
    );

    // Assess: looks at 25, 50, 87.5 and 120 ms (the last one at the deadline), then gives up.
    expect(outcome.status).toBe('RUNNING');
    expect(lookedAt).toEqual([25, 50, 87, 120]);
  });

  it('looks once at each time, even when its timers fire early', async () => {
    // Act: every timer fires 2 ms before it is due. (On the machine's own clock a loaded machine's timers are
    // late as well as early, so the gaps between looks were no sign of a repeat.)
    const executionArn = 'arn:aws:states:us-east-1:000000000000:execution:shop-test-earlyTimers:key-3';
    const { lookedAt, outcome } = await looksOnOwnClock(
      { executionArn, sentAt: 0 },
      () => ({ name: 'key-3', status: 'RUNNING', input: '{}' }),
      { waitMs: 120, timersEarlyMs: 2 },
    );

    // Assess: the looks of the schedule (25, 50, 87.5, then the deadline), each 2 ms early (85.5 read in whole
    // milliseconds) and none twice.
    expect(outcome.status).toBe('RUNNING');
    expect(lookedAt).toEqual([23, 48, 85, 118]);
  });
});
