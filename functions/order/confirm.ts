import { serviceHandler } from '../../lib/common/handler';
import { OrderRef } from '../../lib/order/order';
import { confirmOrder } from '../../lib/order/orderService';

/** order/confirm: PENDING → CONFIRMED once the payment went through (the order saga's last step). */
export const handler = serviceHandler({ input: OrderRef, caller: 'none', idempotent: true }, async ({ input }) => {
  await confirmOrder(input.orderId);
  return { status: 'OK' };
});
