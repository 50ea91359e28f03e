import { AccountRef } from '../../lib/billing/billing';
import { createAccount } from '../../lib/billing/billingService';
import { serviceHandler } from '../../lib/common/handler';

/** billing/createAccount: a zero-balance account for a client (step of the registration saga). */
export const handler = serviceHandler({ input: AccountRef, caller: 'none', idempotent: true }, ({ input, requestId }) =>
  createAccount(input.clientId, requestId),
);
