import { serviceHandler } from '../../lib/common/handler';
import { OrderRef } from '../../lib/order/order';
import { getOrderOfClient } from '../../lib/order/orderService';

/** GET /api/orders/{orderId}: one of the signed-in client's orders; anyone else's is 404 like a missing one. */
export const handler = serviceHandler({ input: OrderRef, caller: 'required', idempotent: false }, ({ caller, input }) =>
  getOrderOfClient(input.orderId, caller.clientId),
);
