import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  StartExecutionCommand,
  type HistoryEvent,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { startStepFunctionsEndpoint, type StepFunctionsEndpoint } from '../../../local/stepfunctions/protocol';
import { lambdaInvoker } from '../../../local/stepfunctions/taskInvoker';
import { uniqueSuffix } from '../../support/api';
import { sfnClient, startFakeLambda, unitTestPort, type FakeLambda } from '../../support/fakeLambda';

const fixture = (name: string) =>
  JSON.parse(readFileSync(join(__dirname, '../../fixtures/stepfunctions', name), 'utf8')) as Record<string, unknown>;

const MACHINES = [
  { name: 'shop-local-reserveAndCharge', definition: fixture('reserve-and-charge.asl.json') },
  { name: 'shop-local-slowTask', definition: fixture('slow-task.asl.json') },
];
const SAGA = 'arn:aws:states:us-east-1:000000000000:stateMachine:shop-local-reserveAndCharge';
const SLOW = 'arn:aws:states:us-east-1:000000000000:stateMachine:shop-local-slowTask';
const RESERVE_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:shop-local-reserve';

let lambda: FakeLambda;
let endpoint: StepFunctionsEndpoint;
let sfn: SFNClient;

beforeAll(async () => {
  lambda = await startFakeLambda(unitTestPort(2));
  endpoint = await startStepFunctionsEndpoint({
    port: unitTestPort(3),
    lambdaEndpoint: lambda.url,
    machines: MACHINES,
  });
  sfn = sfnClient(endpoint.url);
});

afterAll(async () => {
  lambda.release({ result: null });
  await endpoint.stop();
  await lambda.stop();
  sfn.destroy();
});

async function run(stateMachineArn: string, input: unknown) {
  const name = `run-${uniqueSuffix()}`;
  const { executionArn } = await sfn.send(
    new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }),
  );
  for (let attempt = 0; attempt < 400; attempt++) {
    const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (execution.status !== 'RUNNING') {
      const { events } = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }));
      return { name, execution, events: events ?? [] };
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`${executionArn} still running`);
}

const types = (events: HistoryEvent[]) => events.map((event) => String(event.type));
/** The events from one state's TaskStateEntered to just before its TaskStateExited (or the end). */
function taskEvents(events: HistoryEvent[], stateName: string): string[] {
  const start = events.findIndex((event) => event.stateEnteredEventDetails?.name === stateName);
  const end = events.findIndex((event, index) => index > start && String(event.type).endsWith('StateExited'));
  return types(events.slice(start, end === -1 ? undefined : end + 1));
}

describe('Local Step Functions executions', () => {
  it('runs the definition as written and records the history AWS would', async () => {
    lambda.script('shop-local-reserve', { result: { reservationId: 'r-1' } });
    lambda.script('shop-local-charge', { result: { chargeId: 'c-1' } });

    const { name, execution, events } = await run(SAGA, { total: 5 });

    expect(execution.status).toBe('SUCCEEDED');
    expect(JSON.parse(execution.output!)).toEqual({
      total: 5,
      reservation: { reservationId: 'r-1' },
      charge: { charged: { chargeId: 'c-1' } },
    });
    expect(types(events)).toEqual([
      'ExecutionStarted',
      'ChoiceStateEntered',
      'ChoiceStateExited',
      'TaskStateEntered',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionSucceeded',
      'TaskStateExited',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskSucceeded',
      'TaskStateExited',
      'SucceedStateEntered',
      'SucceedStateExited',
      'ExecutionSucceeded',
    ]);
    expect(events.map((event) => event.id)).toEqual(events.map((_, index) => index + 1));
    expect(events.every((event) => event.previousEventId === event.id! - 1)).toBe(true);
    expect(events[4]?.lambdaFunctionScheduledEventDetails).toMatchObject({
      resource: RESERVE_ARN,
      input: JSON.stringify({ requestId: `${name}-Reserve`, input: { total: 5 } }),
    });
    expect(events[6]?.lambdaFunctionSucceededEventDetails).toMatchObject({ output: '{"reservationId":"r-1"}' });
    expect(events[9]?.taskScheduledEventDetails).toMatchObject({ resourceType: 'lambda', resource: 'invoke' });
    expect(JSON.parse(events[11]!.taskSucceededEventDetails!.output!)).toMatchObject({
      Payload: { chargeId: 'c-1' },
      StatusCode: 200,
    });
    expect(lambda.calls.filter((call) => call.functionName === 'shop-local-charge').at(-1)?.payload).toEqual({
      requestId: `${name}-Charge`,
      input: { total: 5, reservation: { reservationId: 'r-1' } },
    });
  });

  it('takes a Choice default without calling any function', async () => {
    const before = lambda.calls.length;

    const { execution, events } = await run(SAGA, { total: 0 });

    expect(execution.status).toBe('SUCCEEDED');
    expect(JSON.parse(execution.output!)).toEqual({ reserved: false });
    expect(types(events)).toContain('PassStateExited');
    expect(lambda.calls.length).toBe(before);
  });

  it("routes a function's custom error name to the Catch that names it", async () => {
    lambda.script('shop-local-reserve', { result: { reservationId: 'r-2' } });
    lambda.script('shop-local-charge', { throws: 'InsufficientFunds', message: 'balance 3 < 5' });
    lambda.script('shop-local-release', { result: { released: true } });

    const { execution, events } = await run(SAGA, { total: 5 });

    expect(execution).toMatchObject({ status: 'FAILED', error: 'OrderRejected', cause: 'The charge was refused.' });
    const failed = events.find((event) => event.type === 'TaskFailed');
    expect(failed?.taskFailedEventDetails).toMatchObject({ error: 'InsufficientFunds' });
    expect(JSON.parse(failed!.taskFailedEventDetails!.cause!)).toMatchObject({
      errorType: 'InsufficientFunds',
      errorMessage: 'balance 3 < 5',
    });
    expect(taskEvents(events, 'Charge')).toEqual([
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskFailed',
      'TaskStateExited',
    ]);
    expect(types(events).slice(-2)).toEqual(['FailStateEntered', 'ExecutionFailed']);
    const releaseInput = lambda.calls.filter((call) => call.functionName === 'shop-local-release').at(-1)?.payload as {
      input: { error: { Error: string } };
    };
    expect(releaseInput.input.error.Error).toBe('InsufficientFunds');
  });

  it('retries transient failures inside one TaskStateEntered/Exited, then goes on', async () => {
    lambda.script(
      'shop-local-reserve',
      { throws: 'DependencyFailure' },
      { status: 503 },
      { result: { reservationId: 'r-3' } },
    );
    lambda.script('shop-local-charge', { result: { chargeId: 'c-3' } });

    const { execution, events } = await run(SAGA, { total: 5 });

    expect(execution.status).toBe('SUCCEEDED');
    expect(taskEvents(events, 'Reserve')).toEqual([
      'TaskStateEntered',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionFailed',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionFailed',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionSucceeded',
      'TaskStateExited',
    ]);
    const errors = events
      .filter((event) => event.type === 'LambdaFunctionFailed')
      .map((event) => event.lambdaFunctionFailedEventDetails?.error);
    expect(errors).toEqual(['DependencyFailure', 'Lambda.ServiceException']);
  });

  it('fails the execution with the error no Catch names, right after the failed call', async () => {
    lambda.script('shop-local-reserve', { throws: 'NotFound', message: 'no such client' });

    const { execution, events } = await run(SAGA, { total: 5 });

    expect(execution).toMatchObject({ status: 'FAILED', error: 'NotFound' });
    expect(JSON.parse(execution.cause!)).toMatchObject({ errorType: 'NotFound', errorMessage: 'no such client' });
    expect(types(events).slice(-2)).toEqual(['LambdaFunctionFailed', 'ExecutionFailed']);
    expect(events.at(-1)?.executionFailedEventDetails).toMatchObject({ error: 'NotFound' });
  });

  it('times out a Task that does not answer within its TimeoutSeconds as States.Timeout', async () => {
    lambda.script('shop-local-slow', { hang: true });

    const { execution, events } = await run(SLOW, {});

    expect(execution).toMatchObject({ status: 'FAILED', error: 'States.Timeout' });
    expect(types(events).slice(-2)).toEqual(['LambdaFunctionTimedOut', 'ExecutionFailed']);
    expect(events.at(-2)?.lambdaFunctionTimedOutEventDetails).toMatchObject({ error: 'States.Timeout' });
    lambda.release({ result: null });
  });
});

describe('lambdaInvoker', () => {
  it('reports a Lambda endpoint that refuses connections as Lambda.ServiceException', async () => {
    const invoke = lambdaInvoker(`http://127.0.0.1:${unitTestPort(9)}`);

    const outcome = await invoke('shop-local-anything', {}, new AbortController().signal);

    expect(outcome).toMatchObject({ ok: false, error: 'Lambda.ServiceException' });
  });

  it("reports the Invoke API's own refusal by its error type, with its message as the cause", async () => {
    const refusing = createServer((_, response) => {
      response
        .writeHead(404, { 'content-type': 'application/json', 'x-amzn-errortype': 'ResourceNotFoundException' })
        .end('{"Type":"User","Message":"Function not found: arn:aws:lambda:us-east-1:000000000000:function:gone"}');
    });
    await new Promise<void>((resolve) => refusing.listen(unitTestPort(7), '127.0.0.1', resolve));

    const invoke = lambdaInvoker(`http://127.0.0.1:${unitTestPort(7)}`);
    const outcome = await invoke('gone', {}, new AbortController().signal);
    refusing.close();

    expect(outcome).toEqual({
      ok: false,
      error: 'Lambda.ResourceNotFoundException',
      cause: 'Function not found: arn:aws:lambda:us-east-1:000000000000:function:gone',
    });
  });

  it('reports a function error without a type as Lambda.Unknown', async () => {
    const crash = createServer((_, response) => {
      response.writeHead(200, { 'x-amz-function-error': 'Unhandled' }).end('{"errorMessage":"Runtime exited"}');
    });
    await new Promise<void>((resolve) => crash.listen(unitTestPort(8), '127.0.0.1', resolve));

    const invoke = lambdaInvoker(`http://127.0.0.1:${unitTestPort(8)}`);
    const outcome = await invoke('shop-local-crash', {}, new AbortController().signal);
    crash.close();

    expect(outcome).toEqual({ ok: false, error: 'Lambda.Unknown', cause: '{"errorMessage":"Runtime exited"}' });
  });
});
