import { ClientRef } from '../../lib/client/client';
import { rejectClient } from '../../lib/client/clientService';
import { serviceHandler } from '../../lib/common/handler';

/** client/reject: PENDING → REJECTED, the compensation of client/add. The record is kept. */
export const handler = serviceHandler({ input: ClientRef, caller: 'none', idempotent: true }, async ({ input }) => {
  await rejectClient(input.clientId);
  return { status: 'OK' };
});
