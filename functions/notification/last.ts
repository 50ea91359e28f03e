import { serviceHandler } from '../../lib/common/handler';
import { Body } from '../../lib/common/schemas';
import { lastNotification } from '../../lib/notification/notificationService';

/** notification/last: the newest notification of all, or 404 when there is none. */
export const handler = serviceHandler({ input: Body({}), caller: 'none', idempotent: false }, () => lastNotification());
