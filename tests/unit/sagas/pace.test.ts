import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { awaitSaga, paceOf, SagaPace } from '../../../lib/sagas/saga';

const sfn = mockClient(SFNClient);
const first = (delays: Generator<number>, count: number) => Array.from({ length: count }, () => delays.next().value);

describe('Saga: when a saga-starting call looks at its saga', () => {
  beforeEach(() => sfn.reset());

  it('looks at 25 ms and doubles the interval up to 250 ms before it knows how long a saga takes', () => {
    expect(first(new SagaPace().delays(), 7)).toEqual([25, 50, 100, 200, 250, 250, 250]);
  });

  it('waits most of the typical duration first, then looks at short intervals that grow', () => {
    // Prepare: one saga of 200 ms seen.
    const pace = new SagaPace();
    pace.observe(200);

    // Act and assess: 160 ms, then 20, 30, 45, 67.5 … (a 200 ms saga is seen at 210 ms, the third look).
    expect(first(pace.delays(), 5)).toEqual([160, 20, 30, 45, 67.5]);
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
