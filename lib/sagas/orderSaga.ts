import { type z } from 'zod';
import { requireEnv } from '../common/config';
import { NotFound } from '../common/errors';
import { newId } from '../common/ids';
import { Sum } from '../common/money';
import { Body } from '../common/schemas';
import { HttpResponse, type Caller } from '../common/serviceEvent';
import {
  awaitSaga,
  findSaga,
  executionNameFor,
  requestFingerprint,
  startSaga,
  stillInProgress,
  type SagaOutcome,
} from './saga';

export const CreateOrderRequest = Body({ sum: Sum });
export type CreateOrderRequest = z.infer<typeof CreateOrderRequest>;

const orderSagaArn = () => requireEnv('ORDER_SAGA_ARN');

/** The errors of the order saga's Fail states (state-machines/order.asl.json): its only final refusals. */
export const ORDER_SAGA_REFUSALS = ['InsufficientFunds', 'OrderFailed'] as const;

/**
 * What the caller is told. Anything but a success or one of the saga's refusals is not final: a running
 * saga, and one that failed at or after the pivot and waits for a redrive (the money may have moved), both
 * answer 202 with the status URL, which gives the final answer once the saga has one.
 */
export function orderOutcomeResponse(outcome: SagaOutcome): HttpResponse {
  const orderId = outcome.input['orderId'];
  if (outcome.status === 'SUCCEEDED') return new HttpResponse({ success: 'ok', orderId, status: 'CONFIRMED' });
  if (stillInProgress(outcome, ORDER_SAGA_REFUSALS)) {
    return new HttpResponse(
      {
        status: 'PENDING',
        orderId,
        executionArn: outcome.executionArn,
        statusUrl: `/api/order/create_order/${outcome.executionName}`,
      },
      202,
    );
  }
  if (outcome.error === 'InsufficientFunds') {
    return new HttpResponse({ error: 'Not enough money on the account', orderId, status: 'REJECTED' }, 402);
  }
  // OrderFailed: refused input, or a step before the pivot kept failing; the order was rejected, nothing charged.
  return new HttpResponse({ error: 'The order could not be placed', orderId, status: 'REJECTED' }, 422);
}

/**
 * Starts the order saga for the signed-in client and waits for it (up to SAGA_WAIT_MS). The order id is
 * assigned here, from the execution name, so a retried request names the same order.
 */
export async function placeOrder(caller: Caller, request: CreateOrderRequest, requestId?: string) {
  const executionName = executionNameFor(requestId, caller.clientId);
  const input = {
    orderId: newId('order', executionName),
    clientId: caller.clientId,
    sum: request.sum,
    fingerprint: requestFingerprint({ clientId: caller.clientId, ...request }),
  };
  const started = await startSaga(orderSagaArn(), executionName, input);
  return orderOutcomeResponse(await awaitSaga(started));
}

/** The saga behind an earlier 202, for its own client only (another client's is "not found"). */
export async function orderSagaStatus(caller: Caller, executionName: string) {
  const outcome = await findSaga(orderSagaArn(), executionName);
  if (outcome === undefined || outcome.input['clientId'] !== caller.clientId) throw new NotFound('Order not found');
  return orderOutcomeResponse(outcome);
}
