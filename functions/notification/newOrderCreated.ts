import { serviceHandler } from '../../lib/common/handler';
import { NewOrderCreatedInput } from '../../lib/notification/notification';
import { notifyNewOrderCreated } from '../../lib/notification/notificationService';

/** notify/newOrderCreated: stores a new order's notice, addressed with the client the Client service knows (404 if none). */
export const handler = serviceHandler(
  { input: NewOrderCreatedInput, caller: 'none', idempotent: true },
  ({ input, requestId }) => notifyNewOrderCreated(input, requestId),
);
