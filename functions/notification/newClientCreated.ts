import { serviceHandler } from '../../lib/common/handler';
import { NewClientCreatedInput } from '../../lib/notification/notification';
import { notifyNewClientCreated } from '../../lib/notification/notificationService';

/** notify/newClientCreated: stores a welcome for a new client; a repeated request id stores nothing more. */
export const handler = serviceHandler(
  { input: NewClientCreatedInput, caller: 'none', idempotent: true },
  ({ input, requestId }) => notifyNewClientCreated(input, requestId),
);
