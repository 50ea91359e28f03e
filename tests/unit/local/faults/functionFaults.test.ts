import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { makeHandlerIdempotent } from '@aws-lambda-powertools/idempotency/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { marshall } from '@aws-sdk/util-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import * as z from 'zod';
import { BUSINESS_ERROR_NAMES, httpStatusOf } from '../../../../lib/common/errors';
import { serviceHandler } from '../../../../lib/common/handler';
import { loadDefinition } from '../../../support/definitions';
import { guardIdempotency, idempotencyOptions } from '../../../../lib/common/idempotency';
import { serviceEvent, validInput, type ServiceCall } from '../../../../lib/common/serviceEvent';
import {
  COPY_MARK,
  InjectedFault,
  TIMEOUT_MARGIN_MS,
  withInjectedFaults,
  type FaultOptions,
} from '../../../../local/faults/functionFaults';
import { FAULT_KINDS, type FaultConfig } from '../../../../local/faults/settings';
import { httpEvent, lambdaContext } from '../../support/events';
import { captureLogs } from '../../support/logCapture';

// tests/support/unitEnvironment.ts turns the idempotency layer off; the fault points are placed around it.
delete process.env['POWERTOOLS_IDEMPOTENCY_DISABLED'];

const idempotencyStore = mockClient(DynamoDBClient);
const lambda = mockClient(LambdaClient);
/** The order in which the calls reached AWS, across both clients. */
let calls: string[] = [];

beforeEach(() => {
  idempotencyStore.reset();
  lambda.reset();
  calls = [];
  const recording = (name: string) => async () => {
    calls.push(name);
    return {};
  };
  idempotencyStore.on(PutItemCommand).callsFake(recording('PutItem'));
  idempotencyStore.on(UpdateItemCommand).callsFake(recording('UpdateItem'));
  idempotencyStore.on(DeleteItemCommand).callsFake(recording('DeleteItem'));
  lambda.on(InvokeCommand).callsFake(async () => {
    calls.push('Invoke');
    return { StatusCode: 200, Payload: new TextEncoder().encode('{"balance":1}') };
  });
});

/** Math.random's answers, in order: the rate's coin, the kind, then the kind's own coin. */
const answers =
  (...values: number[]) =>
  () =>
    values.shift() ?? 0.99;

const Input = z.strictObject({ sum: z.number() });
type Call = ServiceCall<z.infer<typeof Input>>;

/** A state-changing handler in the project's chain, with the fault points around its idempotency record. */
function faultyHandler(config: Partial<FaultConfig>, options: Omit<FaultOptions, 'config'> = {}) {
  const runs: unknown[] = [];
  const write = async (call: Call) => {
    calls.push('write');
    runs.push(call.input);
    return { balance: 1 };
  };
  const powertools = makeHandlerIdempotent(idempotencyOptions(lambdaContext.functionName));
  const fullConfig: FaultConfig = { rate: 1, kinds: FAULT_KINDS, functions: [], ...config };
  const handler = middy(write).use(
    withInjectedFaults(
      [serviceEvent(), validInput(Input)],
      guardIdempotency(() => powertools),
      {
        random: answers(0, 0, 0),
        ...options,
        config: fullConfig,
      },
    ),
  );
  // As Lambda calls it: with whatever event was delivered.
  return { handler: handler as unknown as (event: unknown, context: Context) => Promise<any>, runs };
}

const withRequestId = (requestId = 'r1') => httpEvent({ body: { sum: 5 }, headers: { 'X-Request-Id': requestId } });
const direct = { requestId: 'exec-1/Withdraw', input: { sum: 5 } };
const contextOf = (overrides: Partial<Context>): Context => ({ ...lambdaContext, ...overrides });
const decode = (payload: unknown) => JSON.parse(new TextDecoder().decode(payload as Uint8Array));

describe('Function: withInjectedFaults, off', () => {
  it('returns the chain as it is, the idempotency middleware itself last, when no FAULT_RATE is set', () => {
    const edge = [serviceEvent(), validInput(Input)];
    const middleware = guardIdempotency(() => makeHandlerIdempotent(idempotencyOptions('f')));

    const chain = withInjectedFaults(edge, middleware);

    expect(chain).toHaveLength(3);
    chain.forEach((each, index) => expect(each).toBe([...edge, middleware][index]));
  });

  it('leaves an invocation alone when the coin says no', async () => {
    const { handler, runs } = faultyHandler({ rate: 0.3 }, { random: answers(0.5) });

    const result = await handler(withRequestId(), lambdaContext);

    expect(result.statusCode).toBe(200);
    expect(runs).toHaveLength(1);
    expect(calls).toEqual(['PutItem', 'write', 'UpdateItem']);
  });

  it('injects into the functions FAULT_FUNCTIONS names only', async () => {
    const { handler, runs } = faultyHandler({ kinds: ['before'], functions: ['billingWithdraw'] });

    await expect(handler(withRequestId(), lambdaContext)).resolves.toMatchObject({ statusCode: 200 });
    await expect(
      handler(withRequestId('r2'), contextOf({ functionName: 'shop-offline-billingWithdraw' })),
    ).rejects.toBeInstanceOf(InjectedFault);
    expect(runs).toHaveLength(1);
  });

  it('is wired into every state-changing handler serviceHandler builds, and no other, when FAULT_RATE is set', async () => {
    process.env['FAULT_RATE'] = '1';
    process.env['FAULT_KINDS'] = 'before';
    try {
      const build = (idempotent: boolean) =>
        serviceHandler({ input: 'none', caller: 'none', idempotent }, async () => ({ balance: 1 }));

      await expect(build(true)(direct, lambdaContext)).rejects.toMatchObject({ name: 'InjectedFault' });
      await expect(build(false)(direct, lambdaContext)).resolves.toEqual({ balance: 1 });
    } finally {
      delete process.env['FAULT_RATE'];
      delete process.env['FAULT_KINDS'];
    }
  });
});

describe('Function: withInjectedFaults, the four kinds', () => {
  it('before: fails before the idempotency record and the handler, writing nothing', async () => {
    const { handler, runs } = faultyHandler({ kinds: ['before'] });

    // Unhandled, as a crash is: API Gateway (and serverless-offline) answer 502, a Task sees the error's name.
    await expect(handler(withRequestId(), lambdaContext)).rejects.toMatchObject({
      name: 'InjectedFault',
      kind: 'before',
    });
    await expect(handler(direct, lambdaContext)).rejects.toMatchObject({ name: 'InjectedFault' });
    expect(runs).toEqual([]);
    expect(calls).toEqual([]);
  });

  it('after: lets the handler write, then dies leaving the record in progress, neither completed nor released', async () => {
    const { handler, runs } = faultyHandler({ kinds: ['after'] });

    await expect(handler(withRequestId(), lambdaContext)).rejects.toMatchObject({
      name: 'InjectedFault',
      kind: 'after',
    });
    expect(runs).toHaveLength(1);
    expect(calls).toEqual(['PutItem', 'write']);
  });

  it('timeout before the write: hangs until just before the deadline with the record taken, then dies', async () => {
    const hangs: number[] = [];
    const { handler, runs } = faultyHandler(
      { kinds: ['timeout'] },
      { random: answers(0, 0, 0.9), sleep: async (ms) => void hangs.push(ms) },
    );

    await expect(handler(direct, contextOf({ getRemainingTimeInMillis: () => 9_500 }))).rejects.toMatchObject({
      name: 'InjectedFault',
      kind: 'timeout',
    });
    expect(hangs).toEqual([9_500 - TIMEOUT_MARGIN_MS]);
    expect(runs).toEqual([]);
    expect(calls).toEqual(['PutItem']);
  });

  it('timeout after the write: the handler writes, then the function hangs and dies before completing the record', async () => {
    const hangs: number[] = [];
    const { handler, runs } = faultyHandler(
      { kinds: ['timeout'] },
      { random: answers(0, 0, 0.1), sleep: async (ms) => void hangs.push(ms) },
    );

    await expect(handler(withRequestId(), lambdaContext)).rejects.toMatchObject({ kind: 'timeout' });
    expect(hangs).toEqual([10_000 - TIMEOUT_MARGIN_MS]);
    expect(runs).toHaveLength(1);
    expect(calls).toEqual(['PutItem', 'write']);
  });

  it('duplicate: delivers the same event again through the Lambda Invoke API, marked as a copy, after the answer', async () => {
    const { handler, runs } = faultyHandler({ kinds: ['duplicate'] }, { random: answers(0, 0, 0.9) });
    const event = withRequestId('r7');

    const result = await handler(event, lambdaContext);

    expect(result).toMatchObject({ statusCode: 200, body: '{"balance":1}' });
    expect(runs).toHaveLength(1);
    expect(calls).toEqual(['PutItem', 'write', 'UpdateItem', 'Invoke']);
    const invoke = lambda.commandCalls(InvokeCommand)[0]!.args[0].input;
    expect(invoke.FunctionName).toBe(lambdaContext.functionName);
    expect(decode(invoke.Payload)).toEqual(event);
    expect(JSON.parse(Buffer.from(invoke.ClientContext!, 'base64').toString('utf8'))).toEqual({
      custom: { [COPY_MARK]: 'r7' },
    });
  });

  it('duplicate: sends a concurrent copy of a direct call as it arrives, and answers only once it is back', async () => {
    let copyBack = false;
    lambda.on(InvokeCommand).callsFake(async () => {
      calls.push('Invoke');
      await new Promise((resolve) => setTimeout(resolve, 20));
      copyBack = true;
      return { StatusCode: 200, FunctionError: 'Unhandled', Payload: new TextEncoder().encode('{}') };
    });
    const { handler } = faultyHandler({ kinds: ['duplicate'] }, { random: answers(0, 0, 0.1) });

    await expect(handler(direct, lambdaContext)).resolves.toEqual({ balance: 1 });
    expect(copyBack).toBe(true);
    // Sent while the first delivery runs, not after its answer was stored.
    expect(calls.indexOf('Invoke')).toBeLessThan(calls.indexOf('UpdateItem'));
    expect(decode(lambda.commandCalls(InvokeCommand)[0]!.args[0].input.Payload)).toEqual(direct);
  });

  it("logs how the copy fared (its error's name, or its HTTP status), not its answer", async () => {
    // The SDK wraps payloads in a blob adapter; the code only decodes its bytes.
    const answer = (payload: unknown, functionError?: string) => ({
      StatusCode: 200,
      ...(functionError === undefined ? {} : { FunctionError: functionError }),
      Payload: new TextEncoder().encode(JSON.stringify(payload)) as never,
    });
    lambda.reset();
    lambda
      .on(InvokeCommand)
      .resolvesOnce(
        answer({ errorType: 'RequestInProgress', trace: ['RequestInProgress: still running', '  at x'] }, 'Unhandled'),
      )
      .resolvesOnce(answer({ statusCode: 409, body: '{"error":"…"}' }))
      .resolvesOnce(answer(null));
    const { handler } = faultyHandler({ kinds: ['duplicate'] }, { random: () => 0 });

    const { logs } = await captureLogs(async () => {
      await handler(direct, lambdaContext);
      await handler(withRequestId('r8'), lambdaContext);
      await handler({ ...direct, requestId: 'exec-2/Confirm' }, lambdaContext);
    });

    const outcomes = logs
      .split('\n')
      .filter((line) => line.includes('"Duplicate delivery answered"'))
      .map((line) => JSON.parse(line).duplicateOutcome);
    expect(outcomes).toEqual(['RequestInProgress', 'HTTP 409', 'answered']);
  });

  it('never faults a marked copy: it is delivered as it is', async () => {
    const { handler, runs } = faultyHandler({ kinds: ['before'] });
    const asCopy = contextOf({
      clientContext: { custom: { [COPY_MARK]: 'exec-1/Withdraw' } } as Context['clientContext'],
    });

    await expect(handler(direct, asCopy)).resolves.toEqual({ balance: 1 });
    expect(runs).toHaveLength(1);
  });

  it('never duplicates a call without a request id: its copy would be a second request', async () => {
    const { handler, runs } = faultyHandler({ kinds: ['duplicate'] });

    await handler(httpEvent({ body: { sum: 5 } }), lambdaContext);

    expect(runs).toHaveLength(1);
    expect(lambda).not.toHaveReceivedCommand(InvokeCommand);
  });

  it('injects nothing into a repeat answered from its idempotency record', async () => {
    const completed = new ConditionalCheckFailedException({
      message: 'The conditional request failed',
      $metadata: {},
      Item: marshall({
        id: 'ignored',
        status: 'COMPLETED',
        expiration: Math.floor(Date.now() / 1000) + 3600,
        validation: createHash('md5')
          .update(JSON.stringify({ sum: 5 }))
          .digest('base64'),
        data: { result: { balance: 7 } },
      }),
    });
    idempotencyStore.on(PutItemCommand).rejects(completed);
    const { handler, runs } = faultyHandler({ kinds: ['after'] });

    await expect(handler(direct, lambdaContext)).resolves.toEqual({ balance: 7 });
    expect(runs).toEqual([]);
  });
});

describe('Function: withInjectedFaults, what a run sees', () => {
  it('logs one line per fault, with its kind', async () => {
    const { handler } = faultyHandler({ kinds: ['after'] });

    const { logs } = await captureLogs(() => handler(direct, lambdaContext).catch(() => undefined));

    const faults = logs
      .split('\n')
      .filter((line) => line.includes('"Injected fault"'))
      .map((line) => JSON.parse(line));
    expect(faults).toEqual([expect.objectContaining({ level: 'WARN', fault: { kind: 'after' } })]);
  });

  it('gives the fault a name the state machines retry and no HTTP mapping knows', () => {
    // The definitions as deployed (the business error list filled in), every string in them.
    const dir = join(__dirname, '../../../../state-machines');
    const namesInAsl = readdirSync(dir)
      .filter((file) => file.endsWith('.asl.json'))
      .flatMap((file) => [...JSON.stringify(loadDefinition(file)).matchAll(/"([A-Za-z.]+)"/g)].map((m) => m[1]));
    const fault = new InjectedFault('after', 'boom');

    expect(fault.name).toBe('InjectedFault');
    expect(fault.stack?.split('\n')[0]).toBe('InjectedFault: boom');
    expect(namesInAsl).not.toContain('InjectedFault');
    expect(BUSINESS_ERROR_NAMES).not.toContain('InjectedFault');
    expect(httpStatusOf(fault)).toBe(500);
  });
});
