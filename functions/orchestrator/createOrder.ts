import { serviceHandler } from '../../lib/common/handler';
import { CreateOrderRequest, placeOrder } from '../../lib/sagas/orderSaga';

/** POST /api/order/create_order {sum}: runs the order saga for the signed-in client and waits for it. */
export const handler = serviceHandler(
  { input: CreateOrderRequest, caller: 'required' },
  ({ caller, input, requestId }) => placeOrder(caller, input, requestId),
);
