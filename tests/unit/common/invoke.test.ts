import {
  InvokeCommand,
  LambdaClient,
  TooManyRequestsException,
  type InvokeCommandOutput,
} from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { invokeService } from '../../../lib/common/invoke';
import type { RetryPolicy } from '../../../lib/common/retry';

const lambda = mockClient(LambdaClient);
beforeEach(() => lambda.reset());

const NO_WAIT: RetryPolicy = { attempts: 4, baseDelayMs: 0, maxDelayMs: 0 };
const payload = (value: unknown) => new TextEncoder().encode(JSON.stringify(value)) as InvokeCommandOutput['Payload'];
const answer = (value: unknown) => ({ StatusCode: 200, Payload: payload(value) });
/** How the Invoke API reports a thrown error (AWS's Node.js runtime, serverless/offline-invoke.js locally). */
const thrown = (name: string, message = name) => ({
  StatusCode: 200,
  FunctionError: 'Unhandled',
  Payload: payload({ errorType: name, errorMessage: message, trace: [`${name}: ${message}`] }),
});
const sentPayloads = () =>
  lambda
    .commandCalls(InvokeCommand)
    .map((call) => JSON.parse(new TextDecoder().decode(call.args[0].input.Payload as Uint8Array)) as unknown);

describe('Function: invokeService', () => {
  it('sends { requestId, input } and answers the parsed result', async () => {
    lambda.on(InvokeCommand).resolves(answer({ id: 'c1' }));

    await expect(invokeService('fn', { clientId: 'c1' }, { requestId: 'r1' })).resolves.toEqual({ id: 'c1' });
    expect(sentPayloads()).toEqual([{ requestId: 'r1', input: { clientId: 'c1' } }]);
  });

  it.each(['NotFound', 'InsufficientFunds', 'InvalidTransition', 'IdempotencyKeyReused'])(
    'rethrows the business error %s by name without retrying it',
    async (name) => {
      lambda.on(InvokeCommand).resolves(thrown(name));

      await expect(invokeService('fn', {}, { requestId: 'r1', retry: NO_WAIT })).rejects.toMatchObject({ name });
      expect(lambda).toHaveReceivedCommandTimes(InvokeCommand, 1);
    },
  );

  it('retries a repeat still in progress with the same request id until the first answer is stored', async () => {
    lambda
      .on(InvokeCommand)
      .resolvesOnce(thrown('RequestInProgress'))
      .resolvesOnce(thrown('RequestInProgress'))
      .resolves(answer({ balance: 5 }));

    await expect(invokeService('fn', { sum: 5 }, { requestId: 'r1', retry: NO_WAIT })).resolves.toEqual({
      balance: 5,
    });
    expect(sentPayloads()).toEqual(Array(3).fill({ requestId: 'r1', input: { sum: 5 } }));
  });

  it('gives a call without a request id one, the same on every attempt', async () => {
    lambda
      .on(InvokeCommand)
      .rejectsOnce(new TooManyRequestsException({ message: 'Rate exceeded', $metadata: {} }))
      .resolves(answer({ ok: true }));

    await invokeService('fn', {}, { retry: NO_WAIT });

    const [first, second] = sentPayloads() as { requestId: string }[];
    expect(first?.requestId).toEqual(expect.any(String));
    expect(second?.requestId).toBe(first?.requestId);
  });

  it('reports DependencyFailure once infrastructure failures outlast the attempts', async () => {
    lambda.on(InvokeCommand).rejects(new TooManyRequestsException({ message: 'Rate exceeded', $metadata: {} }));

    await expect(invokeService('fn', {}, { retry: NO_WAIT })).rejects.toMatchObject({ name: 'DependencyFailure' });
    expect(lambda).toHaveReceivedCommandTimes(InvokeCommand, NO_WAIT.attempts);
  });
});
