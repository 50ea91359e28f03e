import { orderOutcomeResponse } from '../../../lib/sagas/orderSaga';
import { registrationOutcomeResponse } from '../../../lib/sagas/registrationSaga';
import type { SagaOutcome, SagaStatus } from '../../../lib/sagas/saga';

const outcome = (status: SagaStatus, error?: string): SagaOutcome => ({
  executionArn: 'arn:aws:states:us-east-1:000000000000:execution:shop-offline-orderSaga:c-1_key-1',
  executionName: 'c-1_key-1',
  status,
  input: { orderId: 'o-1', clientId: 'c-1', login: 'ivan', statusToken: 't0k3n' },
  ...(error === undefined ? {} : { error }),
});
const answer = (response: { statusCode: number; body: unknown }) => [response.statusCode, response.body];

describe('What a client is told about its saga', () => {
  const pendingOrder = {
    status: 'PENDING',
    orderId: 'o-1',
    executionArn: outcome('RUNNING').executionArn,
    statusUrl: '/api/order/create_order/c-1_key-1',
  };

  it.each([
    ['RUNNING', undefined],
    ['PENDING_REDRIVE', undefined],
    ['FAILED', 'Lambda.ServiceException'],
    ['FAILED', 'States.Timeout'],
    ['TIMED_OUT', undefined],
    ['ABORTED', undefined],
  ] as const)('answers an order saga %s %s as still being completed (202), not as a refusal', (status, error) => {
    expect(answer(orderOutcomeResponse(outcome(status, error)))).toEqual([202, pendingOrder]);
  });

  it("answers the order saga's own endings as final", () => {
    expect(answer(orderOutcomeResponse(outcome('SUCCEEDED')))).toEqual([
      200,
      { success: 'ok', orderId: 'o-1', status: 'CONFIRMED' },
    ]);
    expect(answer(orderOutcomeResponse(outcome('FAILED', 'InsufficientFunds')))).toEqual([
      402,
      { error: 'Not enough money on the account', orderId: 'o-1', status: 'REJECTED' },
    ]);
    expect(answer(orderOutcomeResponse(outcome('FAILED', 'OrderFailed')))).toEqual([
      422,
      { error: 'The order could not be placed', orderId: 'o-1', status: 'REJECTED' },
    ]);
  });

  it('answers a registration that waits for a redrive as still being completed, and its own endings as final', () => {
    expect(answer(registrationOutcomeResponse(outcome('FAILED', 'Lambda.ServiceException')))).toEqual([
      202,
      {
        status: 'PENDING',
        clientId: 'c-1',
        executionArn: outcome('FAILED').executionArn,
        statusUrl: '/api/client/register_client/c-1_key-1.t0k3n',
      },
    ]);
    expect(answer(registrationOutcomeResponse(outcome('FAILED', 'LoginTaken')))[0]).toBe(409);
    expect(answer(registrationOutcomeResponse(outcome('FAILED', 'RegistrationFailed')))[0]).toBe(502);
    expect(answer(registrationOutcomeResponse(outcome('SUCCEEDED')))).toEqual([
      200,
      { clientId: 'c-1', login: 'ivan' },
    ]);
  });
});
