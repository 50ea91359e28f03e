import { ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { drain, runningExecutions } from '../../../bench/drain';

const sfn = mockClient(SFNClient);
const execution = (name: string) => ({ executionArn: `arn:${name}` }) as never;

describe('draining a run', () => {
  beforeEach(() => sfn.reset());

  it('counts the RUNNING executions of every machine, page by page', async () => {
    sfn
      .on(ListExecutionsCommand, { stateMachineArn: 'arn:a' })
      .resolves({ executions: [execution('1'), execution('2')], nextToken: 't' })
      .on(ListExecutionsCommand, { stateMachineArn: 'arn:a', nextToken: 't' })
      .resolves({ executions: [execution('3')] })
      .on(ListExecutionsCommand, { stateMachineArn: 'arn:b' })
      .resolves({ executions: [] });

    expect(await runningExecutions(new SFNClient({}), ['arn:a', 'arn:b'])).toBe(3);
    for (const call of sfn.commandCalls(ListExecutionsCommand)) expect(call.args[0].input.statusFilter).toBe('RUNNING');
  });

  it('waits until nothing runs', async () => {
    sfn
      .on(ListExecutionsCommand)
      .resolvesOnce({ executions: [execution('1')] })
      .resolves({ executions: [] });
    const waits: number[] = [];

    expect(await drain(new SFNClient({}), ['arn:a'], 10_000, (running) => waits.push(running))).toBe(0);
    expect(waits).toEqual([1]);
  });

  it('gives up after its timeout and says how many still run', async () => {
    sfn.on(ListExecutionsCommand).resolves({ executions: [execution('1'), execution('2')] });

    expect(await drain(new SFNClient({}), ['arn:a'], 0)).toBe(2);
  });
});
