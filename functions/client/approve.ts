import { ClientRef } from '../../lib/client/client';
import { approveClient } from '../../lib/client/clientService';
import { serviceHandler } from '../../lib/common/handler';

/** client/approve: PENDING → APPROVED once the user is registered (step 3 of the registration saga). */
export const handler = serviceHandler({ input: ClientRef, caller: 'none', idempotent: true }, async ({ input }) => {
  await approveClient(input.clientId);
  return { status: 'OK' };
});
