import { TestStateCommand, type SFNClient, type TestStateInput } from '@aws-sdk/client-sfn';
import { startStepFunctionsEndpoint, type StepFunctionsEndpoint } from '../../../local/stepfunctions/protocol';
import { loadDefinition } from '../../support/definitions';
import { sfnClient, unitTestPort } from '../../support/fakeLambda';
import { SAGA_MACHINES } from '../../support/sagaScenarios';

/**
 * The pivots' Retry and Catch, one state at a time, the way AWS recommends unit-testing states: TestState
 * with the Task's answer mocked and the retry count to simulate (the local endpoint's TestState).
 */
let endpoint: StepFunctionsEndpoint;
let sfn: SFNClient;

beforeAll(async () => {
  endpoint = await startStepFunctionsEndpoint({
    port: unitTestPort(56),
    lambdaEndpoint: `http://127.0.0.1:${unitTestPort(57)}`,
    machines: SAGA_MACHINES,
  });
  sfn = sfnClient(endpoint.url);
});

afterAll(async () => {
  await endpoint.stop();
  sfn.destroy();
});

const order = JSON.stringify(loadDefinition('order.asl.json'));
const registration = JSON.stringify(loadDefinition('registration.asl.json'));
const ORDER_INPUT = JSON.stringify({ orderId: 'o-1', clientId: 'c-1', sum: 30, order: { id: 'o-1' } });
const REGISTRATION_INPUT = JSON.stringify({ clientId: 'c-1', login: 'ivan', passwordHash: 'scrypt$…' });
const CONTEXT = JSON.stringify({ Execution: { Name: 'exec-1' } });

const test = (request: Partial<TestStateInput>) =>
  sfn.send(new TestStateCommand({ definition: order, input: ORDER_INPUT, context: CONTEXT, ...request } as never));
const failing = (error: string, retrierRetryCount = 0) => ({
  mock: { errorOutput: { error, cause: `${error} happened` } },
  stateConfiguration: { retrierRetryCount },
});

describe('TestState: the order saga pivot (Withdraw)', () => {
  it('passes the money taken on to ConfirmOrder, with the request id of the execution and state', async () => {
    const answer = await test({
      stateName: 'Withdraw',
      mock: { result: JSON.stringify({ clientId: 'c-1', balance: 70 }) },
      inspectionLevel: 'DEBUG',
    });

    expect(answer).toMatchObject({ status: 'SUCCEEDED', nextState: 'ConfirmOrder' });
    expect(JSON.parse(answer.output!)).toEqual({
      ...JSON.parse(ORDER_INPUT),
      payment: { clientId: 'c-1', balance: 70 },
    });
    expect(JSON.parse(answer.inspectionData!.afterParameters!)).toEqual({
      requestId: 'exec-1/Withdraw',
      input: { clientId: 'c-1', sum: 30 },
    });
    expect(JSON.parse(answer.inspectionData!.result!)).toEqual({ clientId: 'c-1', balance: 70 });
  });

  it('catches InsufficientFunds at once, without retrying, into the compensation', async () => {
    const answer = await test({ stateName: 'Withdraw', ...failing('InsufficientFunds') });

    expect(answer).toMatchObject({ status: 'CAUGHT_ERROR', nextState: 'RejectOrder', error: 'InsufficientFunds' });
    expect(JSON.parse(answer.output!).error).toEqual({
      Error: 'InsufficientFunds',
      Cause: 'InsufficientFunds happened',
    });
    expect(answer.inspectionData?.errorDetails?.catchIndex).toBe(0);
  });

  it('retries a transient error, its backoff doubling up to 10 s (jitter then draws below it)', async () => {
    const first = await test({ stateName: 'Withdraw', ...failing('Lambda.ServiceException', 0) });
    const fourth = await test({ stateName: 'Withdraw', ...failing('Lambda.ServiceException', 4) });

    expect(first).toMatchObject({ status: 'RETRIABLE', inspectionData: { errorDetails: { retryIndex: 2 } } });
    expect(first.inspectionData?.errorDetails?.retryBackoffIntervalSeconds).toBe(1);
    expect(fourth.inspectionData?.errorDetails?.retryBackoffIntervalSeconds).toBe(10);
  });

  it('fails the execution at the pivot when a transient error outlasts its retries: no compensation', async () => {
    const answer = await test({ stateName: 'Withdraw', ...failing('Lambda.ServiceException', 6) });

    expect(answer).toMatchObject({ status: 'FAILED', error: 'Lambda.ServiceException' });
    expect(answer.nextState).toBeUndefined();
  });

  it('waits out an idempotency lock for eight attempts, then fails at the pivot', async () => {
    const waiting = await test({ stateName: 'Withdraw', ...failing('RequestInProgress', 7) });
    const exhausted = await test({ stateName: 'Withdraw', ...failing('RequestInProgress', 8) });

    expect(waiting).toMatchObject({
      status: 'RETRIABLE',
      inspectionData: { errorDetails: { retryIndex: 1, retryBackoffIntervalSeconds: 6 } },
    });
    expect(exhausted).toMatchObject({ status: 'FAILED', error: 'RequestInProgress' });
  });
});

describe('TestState: the registration saga pivot (RegisterUser)', () => {
  const testRegistration = (request: Partial<TestStateInput>) =>
    test({ definition: registration, input: REGISTRATION_INPUT, stateName: 'RegisterUser', ...request });

  it('catches LoginTaken into the compensation, RejectClient', async () => {
    const answer = await testRegistration(failing('LoginTaken'));

    expect(answer).toMatchObject({ status: 'CAUGHT_ERROR', nextState: 'RejectClient' });
    expect(JSON.parse(answer.output!).error.Error).toBe('LoginTaken');
  });

  it('fails the execution at the pivot after its retries of a timeout', async () => {
    const retried = await testRegistration(failing('States.Timeout', 2));
    const exhausted = await testRegistration(failing('States.Timeout', 3));

    expect(retried.status).toBe('RETRIABLE');
    expect(exhausted).toMatchObject({ status: 'FAILED', error: 'States.Timeout' });
  });
});

describe('TestState: requests AWS refuses', () => {
  it('refuses a mock on a state that calls nothing, and a state the definition lacks', async () => {
    const refusals = await Promise.all(
      [
        { stateName: 'OrderRejected', mock: { result: '{}' } },
        { stateName: 'NoSuchState', mock: { result: '{}' } },
      ].map((request) => test(request).catch((error: Error) => error)),
    );

    expect(refusals.map((error) => (error as Error).name)).toEqual(['ValidationException', 'ValidationException']);
  });

  it('tests a single state given as its own definition', async () => {
    const choice = loadDefinition('order.asl.json').States.OrderRejected;

    const answer = await sfn.send(
      new TestStateCommand({
        definition: JSON.stringify(choice),
        input: JSON.stringify({ error: { Error: 'InsufficientFunds' } }),
      }),
    );

    expect(answer).toMatchObject({ status: 'SUCCEEDED', nextState: 'InsufficientFunds' });
  });
});
