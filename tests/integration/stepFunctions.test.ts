import {
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  ExecutionDoesNotExist,
  ListStateMachinesCommand,
  SFNClient,
} from '@aws-sdk/client-sfn';
import { readServerlessConfig } from '../../local/serverlessConfig';
import { machinesFromServerlessConfig } from '../../local/stepfunctions/machines';
import { STAGE } from './support/stack';

/** The local cloud's Step Functions API, found through AWS_ENDPOINT_URL_SFN like any SDK client would. */
const sfn = new SFNClient({});

afterAll(() => sfn.destroy());

describe('Step Functions API of the local cloud', () => {
  it('serves the state machines serverless.yml declares, under their deployed ARNs', async () => {
    const declared = machinesFromServerlessConfig(await readServerlessConfig(STAGE)).map((machine) => machine.name);
    const { stateMachines = [] } = await sfn.send(new ListStateMachinesCommand({}));

    expect(declared.length).toBeGreaterThan(0);
    expect(stateMachines.map((machine) => machine.name).sort()).toEqual([...declared].sort());
    for (const { stateMachineArn } of stateMachines) {
      expect(stateMachineArn).toMatch(/^arn:aws:states:us-east-1:000000000000:stateMachine:shop-offline-/);
      const machine = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn }));
      expect(machine.definition).not.toContain('#{AWS::');
    }
  });

  it('answers an unknown execution with ExecutionDoesNotExist', async () => {
    const executionArn = 'arn:aws:states:us-east-1:000000000000:execution:shop-offline-none:missing';

    await expect(sfn.send(new DescribeExecutionCommand({ executionArn }))).rejects.toBeInstanceOf(
      ExecutionDoesNotExist,
    );
  });
});
