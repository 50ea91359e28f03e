import {
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  DescribeStateMachineForExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  InvalidArn,
  InvalidExecutionInput,
  InvalidName,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  StartExecutionCommand,
  StateMachineDoesNotExist,
  StopExecutionCommand,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { startStepFunctionsEndpoint, type StepFunctionsEndpoint } from '../../../local/stepfunctions/protocol';
import { sfnClient, startFakeLambda, unitTestPort, type FakeLambda } from '../../support/fakeLambda';

const ARN = 'arn:aws:states:us-east-1:000000000000';
const PASS_MACHINE = `${ARN}:stateMachine:shop-local-passThrough`;
const WAITING_MACHINE = `${ARN}:stateMachine:shop-local-waitForLambda`;

const waitingDefinition = {
  StartAt: 'Wait',
  States: {
    Wait: {
      Type: 'Task',
      Resource: 'arn:aws:lambda:#{AWS::Region}:#{AWS::AccountId}:function:shop-local-waiter',
      End: true,
    },
  },
};

let lambda: FakeLambda;
let endpoint: StepFunctionsEndpoint;
let sfn: SFNClient;

beforeAll(async () => {
  lambda = await startFakeLambda(unitTestPort(0));
  lambda.script('shop-local-waiter', { hang: true });
  endpoint = await startStepFunctionsEndpoint({
    port: unitTestPort(1),
    lambdaEndpoint: lambda.url,
    machines: [
      {
        name: 'shop-local-passThrough',
        definition: { StartAt: 'Echo', States: { Echo: { Type: 'Pass', End: true } } },
      },
      { name: 'shop-local-waitForLambda', definition: waitingDefinition },
    ],
  });
  sfn = sfnClient(endpoint.url);
});

afterAll(async () => {
  lambda.release({ result: null });
  await endpoint.stop();
  await lambda.stop();
  sfn.destroy();
});

async function finished(executionArn: string) {
  for (let attempt = 0; attempt < 200; attempt++) {
    const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (execution.status !== 'RUNNING') return execution;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`${executionArn} still running`);
}

const start = (stateMachineArn: string, input: unknown, name?: string) =>
  sfn.send(new StartExecutionCommand({ stateMachineArn, input: JSON.stringify(input), ...(name ? { name } : {}) }));

describe('Local Step Functions API', () => {
  it('lists the declared state machines with their deployed ARNs, a page at a time', async () => {
    const first = await sfn.send(new ListStateMachinesCommand({ maxResults: 1 }));
    const second = await sfn.send(new ListStateMachinesCommand({ maxResults: 1, nextToken: first.nextToken! }));

    expect(first.stateMachines).toEqual([
      expect.objectContaining({ stateMachineArn: PASS_MACHINE, name: 'shop-local-passThrough', type: 'STANDARD' }),
    ]);
    expect(first.stateMachines?.[0]?.creationDate).toBeInstanceOf(Date);
    expect(second.stateMachines?.map((machine) => machine.stateMachineArn)).toEqual([WAITING_MACHINE]);
    expect(second.nextToken).toBeUndefined();
  });

  it('describes a state machine with its pseudo-parameters substituted', async () => {
    const machine = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: WAITING_MACHINE }));

    expect(machine).toMatchObject({ name: 'shop-local-waitForLambda', status: 'ACTIVE', type: 'STANDARD' });
    expect(JSON.parse(machine.definition!).States.Wait.Resource).toBe(
      'arn:aws:lambda:us-east-1:000000000000:function:shop-local-waiter',
    );
  });

  it('answers unknown state machines and malformed ARNs with the SDK exception classes', async () => {
    await expect(
      sfn.send(new DescribeStateMachineCommand({ stateMachineArn: `${ARN}:stateMachine:nope` })),
    ).rejects.toBeInstanceOf(StateMachineDoesNotExist);
    await expect(start(`${ARN}:stateMachine:nope`, {})).rejects.toBeInstanceOf(StateMachineDoesNotExist);
    await expect(sfn.send(new DescribeStateMachineCommand({ stateMachineArn: 'not-an-arn' }))).rejects.toBeInstanceOf(
      InvalidArn,
    );
  });

  it('starts an execution named by a UUID and runs it to its output', async () => {
    const started = await start(PASS_MACHINE, { orderId: 'o-1' });

    expect(started.executionArn).toMatch(
      /^arn:aws:states:us-east-1:000000000000:execution:shop-local-passThrough:[0-9a-f-]{36}$/,
    );
    expect(started.startDate).toBeInstanceOf(Date);
    const execution = await finished(started.executionArn!);
    expect(execution).toMatchObject({ status: 'SUCCEEDED', stateMachineArn: PASS_MACHINE });
    expect(JSON.parse(execution.input!)).toEqual({ orderId: 'o-1' });
    expect(JSON.parse(execution.output!)).toEqual({ orderId: 'o-1' });
    expect(execution.stopDate).toBeInstanceOf(Date);
  });

  it('refuses input that is not JSON and names AWS would refuse', async () => {
    await expect(
      sfn.send(new StartExecutionCommand({ stateMachineArn: PASS_MACHINE, input: '{nope' })),
    ).rejects.toBeInstanceOf(InvalidExecutionInput);
    await expect(start(PASS_MACHINE, {}, 'x'.repeat(81))).rejects.toBeInstanceOf(InvalidName);
    await expect(start(PASS_MACHINE, {}, 'has space')).rejects.toBeInstanceOf(InvalidName);
    await expect(start(PASS_MACHINE, {}, 'a/b')).rejects.toBeInstanceOf(InvalidName);
  });

  it('returns the same execution for the same name and input while it runs, and refuses a different input', async () => {
    const first = await start(WAITING_MACHINE, { n: 1 }, 'idempotent-start');
    const again = await start(WAITING_MACHINE, { n: 1 }, 'idempotent-start');

    expect(again.executionArn).toBe(first.executionArn);
    expect(again.startDate).toEqual(first.startDate);
    await expect(start(WAITING_MACHINE, { n: 2 }, 'idempotent-start')).rejects.toBeInstanceOf(ExecutionAlreadyExists);
    await sfn.send(new StopExecutionCommand({ executionArn: first.executionArn! }));
  });

  it("refuses a closed execution's name, even with the same input", async () => {
    const started = await start(PASS_MACHINE, { n: 1 }, 'closed-name');
    await finished(started.executionArn!);

    await expect(start(PASS_MACHINE, { n: 1 }, 'closed-name')).rejects.toBeInstanceOf(ExecutionAlreadyExists);
  });

  it('throws ExecutionDoesNotExist for an unknown execution, from every action that takes one', async () => {
    const executionArn = `${ARN}:execution:shop-local-passThrough:never-started`;

    await expect(sfn.send(new DescribeExecutionCommand({ executionArn }))).rejects.toBeInstanceOf(
      ExecutionDoesNotExist,
    );
    await expect(sfn.send(new GetExecutionHistoryCommand({ executionArn }))).rejects.toBeInstanceOf(
      ExecutionDoesNotExist,
    );
    await expect(sfn.send(new StopExecutionCommand({ executionArn }))).rejects.toBeInstanceOf(ExecutionDoesNotExist);
    await expect(sfn.send(new DescribeStateMachineForExecutionCommand({ executionArn }))).rejects.toMatchObject({
      name: 'ExecutionDoesNotExist',
      $metadata: { httpStatusCode: 400 },
    });
  });

  it('lists executions newest first, filtered by status, a page at a time', async () => {
    const names = ['list-a', 'list-b', 'list-c'];
    for (const name of names) {
      const started = await start(PASS_MACHINE, {}, name);
      await finished(started.executionArn!);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const running = await start(WAITING_MACHINE, {}, 'list-running');

    const firstPage = await sfn.send(
      new ListExecutionsCommand({ stateMachineArn: PASS_MACHINE, statusFilter: 'SUCCEEDED', maxResults: 2 }),
    );
    const secondPage = await sfn.send(
      new ListExecutionsCommand({
        stateMachineArn: PASS_MACHINE,
        statusFilter: 'SUCCEEDED',
        nextToken: firstPage.nextToken!,
      }),
    );
    const runningOnly = await sfn.send(
      new ListExecutionsCommand({ stateMachineArn: WAITING_MACHINE, statusFilter: 'RUNNING' }),
    );

    expect(firstPage.executions?.map((execution) => execution.name)).toEqual(['list-c', 'list-b']);
    expect(secondPage.executions?.map((execution) => execution.name)).toContain('list-a');
    expect(secondPage.executions?.every((execution) => execution.status === 'SUCCEEDED')).toBe(true);
    expect(runningOnly.executions?.map((execution) => execution.executionArn)).toEqual([running.executionArn]);
    await sfn.send(new StopExecutionCommand({ executionArn: running.executionArn! }));
  });

  it('returns the history in order or reversed, a page at a time', async () => {
    const started = await start(PASS_MACHINE, { a: 1 }, 'history-pages');
    await finished(started.executionArn!);
    const executionArn = started.executionArn!;

    const all = await sfn.send(new GetExecutionHistoryCommand({ executionArn }));
    const reversed = await sfn.send(
      new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, maxResults: 2 }),
    );
    const rest = await sfn.send(
      new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, nextToken: reversed.nextToken! }),
    );

    expect(all.events?.map((event) => event.type)).toEqual([
      'ExecutionStarted',
      'PassStateEntered',
      'PassStateExited',
      'ExecutionSucceeded',
    ]);
    expect(all.events?.map((event) => [event.id, event.previousEventId])).toEqual([
      [1, 0],
      [2, 1],
      [3, 2],
      [4, 3],
    ]);
    expect(all.events?.[0]?.timestamp).toBeInstanceOf(Date);
    expect(all.events?.[0]?.executionStartedEventDetails).toMatchObject({ input: '{"a":1}' });
    expect(all.events?.[1]?.stateEnteredEventDetails).toMatchObject({ name: 'Echo', input: '{"a":1}' });
    expect(all.events?.[3]?.executionSucceededEventDetails).toMatchObject({ output: '{"a":1}' });
    expect(reversed.events?.map((event) => event.id)).toEqual([4, 3]);
    expect(rest.events?.map((event) => event.id)).toEqual([2, 1]);
  });

  it('stops a running execution, recording ExecutionAborted with the given error and cause', async () => {
    const started = await start(WAITING_MACHINE, {}, 'to-stop');
    const executionArn = started.executionArn!;

    const stopped = await sfn.send(
      new StopExecutionCommand({ executionArn, error: 'Operator', cause: 'changed mind' }),
    );
    const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    const history = await sfn.send(new GetExecutionHistoryCommand({ executionArn, reverseOrder: true }));

    expect(stopped.stopDate).toBeInstanceOf(Date);
    expect(execution).toMatchObject({ status: 'ABORTED', error: 'Operator', cause: 'changed mind' });
    expect(history.events?.[0]).toMatchObject({
      type: 'ExecutionAborted',
      executionAbortedEventDetails: { error: 'Operator', cause: 'changed mind' },
    });
  });

  it('describes the state machine an execution belongs to', async () => {
    const started = await start(PASS_MACHINE, {}, 'which-machine');

    const machine = await sfn.send(
      new DescribeStateMachineForExecutionCommand({ executionArn: started.executionArn! }),
    );

    expect(machine).toMatchObject({ stateMachineArn: PASS_MACHINE, name: 'shop-local-passThrough' });
    expect(JSON.parse(machine.definition!)).toEqual({ StartAt: 'Echo', States: { Echo: { Type: 'Pass', End: true } } });
  });

  it('answers an unknown action in the JSON 1.0 error shape', async () => {
    const response = await fetch(endpoint.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AWSStepFunctions.CreateActivity' },
      body: '{}',
    });

    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      __type: 'UnknownOperationException',
      message: 'Unknown operation: AWSStepFunctions.CreateActivity',
    });
  });
});
