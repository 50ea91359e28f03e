import { serviceHandler } from '../../lib/common/handler';
import { Body } from '../../lib/common/schemas';
import { listNotificationsOfClient } from '../../lib/notification/notificationService';

/** GET /api/notifications: the signed-in client's notifications, newest first. The client is the session's only. */
export const handler = serviceHandler(
  { input: Body({}), caller: 'required', idempotent: false },
  async ({ caller }) => ({
    notifications: await listNotificationsOfClient(caller.clientId),
  }),
);
