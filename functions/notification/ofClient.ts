import { serviceHandler } from '../../lib/common/handler';
import { ClientRef } from '../../lib/notification/notification';
import { listNotificationsOfClient } from '../../lib/notification/notificationService';

/** notification/client/{clientId}: one client's notifications, newest first (an unknown client has none). */
export const handler = serviceHandler({ input: ClientRef, caller: 'none', idempotent: false }, async ({ input }) => ({
  clientId: input.clientId,
  notifications: await listNotificationsOfClient(input.clientId),
}));
