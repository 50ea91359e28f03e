import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  StartExecutionCommand,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import type { MachineDefinition } from '../../../local/stepfunctions/machines';
import { startStepFunctionsEndpoint, type StepFunctionsEndpoint } from '../../../local/stepfunctions/protocol';
import { uniqueSuffix } from '../../support/api';
import { sfnClient, startFakeLambda, unitTestPort, type FakeLambda } from '../../support/fakeLambda';

const SAGA: MachineDefinition = {
  name: 'shop-local-reserveAndCharge',
  definition: JSON.parse(
    readFileSync(join(__dirname, '../../fixtures/stepfunctions/reserve-and-charge.asl.json'), 'utf8'),
  ) as Record<string, unknown>,
};
const SAGA_ARN = 'arn:aws:states:us-east-1:000000000000:stateMachine:shop-local-reserveAndCharge';

let dataDir: string;
let lambda: FakeLambda;
let endpoint: StepFunctionsEndpoint | undefined;
let sfn: SFNClient | undefined;

async function startEndpoint(machines: MachineDefinition[] = [SAGA], resumeAfter?: Promise<unknown>) {
  endpoint = await startStepFunctionsEndpoint({
    port: unitTestPort(5),
    lambdaEndpoint: lambda.url,
    machines,
    dataDir,
    ...(resumeAfter === undefined ? {} : { resumeAfter }),
  });
  // A new client per start: the previous one's kept-alive sockets died with the previous server.
  sfn?.destroy();
  sfn = sfnClient(endpoint.url);
  return endpoint;
}

async function stopEndpoint() {
  await endpoint?.stop();
  endpoint = undefined;
}

async function until<T>(probe: () => Promise<T | undefined>): Promise<T> {
  for (let attempt = 0; attempt < 400; attempt++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('condition never held');
}

const closed = (executionArn: string) =>
  until(async () => {
    const execution = await sfn!.send(new DescribeExecutionCommand({ executionArn }));
    return execution.status === 'RUNNING' ? undefined : execution;
  });

/** An execution a stop of the endpoint interrupted in its first Task (whose hung call is then let go). */
async function interruptedInItsFirstTask(prefix: string) {
  lambda.script('shop-local-reserve', { hang: true });
  await startEndpoint();
  const name = `${prefix}-${uniqueSuffix()}`;
  const { executionArn } = await sfn!.send(
    new StartExecutionCommand({ stateMachineArn: SAGA_ARN, name, input: '{"total":5}' }),
  );
  await until(async () => lambda.calls.find((call) => JSON.stringify(call.payload).includes(name)));
  await stopEndpoint();
  lambda.release({ result: null });
  return { name, executionArn: executionArn! };
}

function scriptTheTasksToSucceed() {
  lambda.script('shop-local-reserve', { result: { reservationId: 'r-1' } });
  lambda.script('shop-local-charge', { result: { chargeId: 'c-1' } });
}

beforeAll(async () => {
  lambda = await startFakeLambda(unitTestPort(4));
});

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'local-sfn-'));
});

afterEach(async () => {
  await stopEndpoint();
  rmSync(dataDir, { recursive: true, force: true });
});

afterAll(async () => {
  await lambda.stop();
  sfn?.destroy();
});

describe('Local Step Functions persistence', () => {
  it('keeps closed executions and their history across a restart', async () => {
    await startEndpoint();
    const { executionArn } = await sfn!.send(
      new StartExecutionCommand({ stateMachineArn: SAGA_ARN, name: `kept-${uniqueSuffix()}`, input: '{"total":0}' }),
    );
    await closed(executionArn!);
    const before = await sfn!.send(new GetExecutionHistoryCommand({ executionArn }));
    await stopEndpoint();

    await startEndpoint();
    const execution = await sfn!.send(new DescribeExecutionCommand({ executionArn }));
    const after = await sfn!.send(new GetExecutionHistoryCommand({ executionArn }));

    expect(execution.status).toBe('SUCCEEDED');
    expect(after.events).toEqual(before.events);
  });

  it('runs an interrupted execution again from the start with the same input, appending to its history', async () => {
    const { name, executionArn } = await interruptedInItsFirstTask('interrupted');
    const file = join(dataDir, SAGA.name, `${name}.json`);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ status: 'RUNNING' });
    scriptTheTasksToSucceed();
    await startEndpoint();
    const execution = await closed(executionArn);
    const { events = [] } = await sfn!.send(new GetExecutionHistoryCommand({ executionArn }));

    expect(execution.status).toBe('SUCCEEDED');
    expect(events.filter((event) => event.type === 'ExecutionStarted')).toHaveLength(1);
    expect(events.filter((event) => event.stateEnteredEventDetails?.name === 'Reserve')).toHaveLength(2);
    expect(events.map((event) => event.id)).toEqual(events.map((_, index) => index + 1));
    const reserveRequests = lambda.calls
      .filter((call) => call.functionName === 'shop-local-reserve' && JSON.stringify(call.payload).includes(name))
      .map((call) => (call.payload as { requestId: string }).requestId);
    expect(reserveRequests).toEqual([`${name}-Reserve`, `${name}-Reserve`]);
  });

  it('runs an interrupted execution again only once the Lambda runtime is up, when told to wait for it', async () => {
    // Prepare: an execution interrupted in its first Task.
    const { name, executionArn } = await interruptedInItsFirstTask('waits');
    const callsOf = () => lambda.calls.filter((call) => JSON.stringify(call.payload).includes(name)).length;
    scriptTheTasksToSucceed();

    // Act: the endpoint starts (and answers) while the runtime is still starting.
    let runtimeUp!: () => void;
    await startEndpoint([SAGA], new Promise<void>((resolve) => (runtimeUp = resolve)));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const whileStarting = await sfn!.send(new DescribeExecutionCommand({ executionArn }));
    const callsWhileStarting = callsOf();
    runtimeUp();
    const execution = await closed(executionArn);

    // Assess: no Task was invoked before the runtime was up; then the execution ran again and closed.
    expect(whileStarting.status).toBe('RUNNING');
    expect(callsWhileStarting).toBe(1);
    expect(execution.status).toBe('SUCCEEDED');
  });

  it('leaves an interrupted execution for the next start when the runtime never comes up', async () => {
    const { name, executionArn } = await interruptedInItsFirstTask('stays');

    await startEndpoint([SAGA], Promise.reject(new Error('serverless-offline did not start')));
    await new Promise((resolve) => setTimeout(resolve, 100));
    await stopEndpoint();

    const file = join(dataDir, SAGA.name, `${name}.json`);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ status: 'RUNNING', executionArn });
  });

  it('fails an interrupted execution whose state machine is no longer declared', async () => {
    const { executionArn } = await interruptedInItsFirstTask('orphan');

    await startEndpoint([]);
    const execution = await sfn!.send(new DescribeExecutionCommand({ executionArn }));

    expect(execution).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
  });

  it('keeps nothing on disk without a data directory', async () => {
    const memoryOnly = await startStepFunctionsEndpoint({
      port: unitTestPort(6),
      lambdaEndpoint: lambda.url,
      machines: [SAGA],
    });
    const client = sfnClient(memoryOnly.url);
    await client.send(new StartExecutionCommand({ stateMachineArn: SAGA_ARN, input: '{"total":0}' }));
    await memoryOnly.service.settled();
    await memoryOnly.stop();
    client.destroy();

    expect(existsSync(join(dataDir, SAGA.name))).toBe(false);
  });
});
