import { serviceHandler } from '../../lib/common/handler';
import { OrderRef } from '../../lib/order/order';
import { getOrder } from '../../lib/order/orderService';

/** order/{orderId}: one order (with its reason when rejected), or 404. */
export const handler = serviceHandler({ input: OrderRef, caller: 'none', idempotent: false }, ({ input }) =>
  getOrder(input.orderId),
);
