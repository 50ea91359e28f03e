import { ClientRef } from '../../lib/client/client';
import { getClient } from '../../lib/client/clientService';
import { serviceHandler } from '../../lib/common/handler';

/** client/{clientId}: one client, or 404. Also what the Notification service invokes to address a client. */
export const handler = serviceHandler({ input: ClientRef, caller: 'none', idempotent: false }, ({ input }) =>
  getClient(input.clientId),
);
