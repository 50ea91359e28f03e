import { serviceHandler } from '../../lib/common/handler';
import { Body } from '../../lib/common/schemas';
import { listOrdersOfClient } from '../../lib/order/orderService';

/** GET /api/orders: the signed-in client's orders, newest first. The client is the session's, never the request's. */
export const handler = serviceHandler(
  { input: Body({}), caller: 'required', idempotent: false },
  async ({ caller }) => ({
    orders: await listOrdersOfClient(caller.clientId),
  }),
);
