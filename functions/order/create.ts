import { serviceHandler } from '../../lib/common/handler';
import { CreateOrderInput } from '../../lib/order/order';
import { createOrder } from '../../lib/order/orderService';

/** order/create: a new order in status PENDING (step 1 of the order saga); a repeated request id gets the same order. */
export const handler = serviceHandler(
  { input: CreateOrderInput, caller: 'none', idempotent: true },
  async ({ input, requestId }) => {
    const { id, clientId, sum, status } = await createOrder(input, requestId);
    return { id, clientId, sum, status };
  },
);
