import { serviceHandler } from '../../lib/common/handler';
import { RejectOrderInput } from '../../lib/order/order';
import { rejectOrder } from '../../lib/order/orderService';

/** order/reject: PENDING → REJECTED with a reason ("InsufficientFunds"), the compensation of order/create. */
export const handler = serviceHandler(
  { input: RejectOrderInput, caller: 'none', idempotent: true },
  async ({ input }) => {
    await rejectOrder(input.orderId, input.reason);
    return { status: 'OK' };
  },
);
