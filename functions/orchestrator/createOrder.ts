import { serviceHandler } from '../../lib/common/handler';
import { CreateOrderRequest, placeOrder } from '../../lib/sagas/orderSaga';

/**
 * POST /api/order/create_order {sum}: runs the order saga for the signed-in client and waits for it. Not through
 * the idempotency record: a repeated key is the same saga, by its execution name (lib/sagas/saga.ts).
 */
export const handler = serviceHandler(
  { input: CreateOrderRequest, caller: 'required', idempotent: false },
  ({ caller, input, requestId }) => placeOrder(caller, input, requestId),
);
