import { AccountRef } from '../../lib/billing/billing';
import { getAccount } from '../../lib/billing/billingService';
import { serviceHandler } from '../../lib/common/handler';

/** billing/{clientId}: the account's balance, or 404. */
export const handler = serviceHandler({ input: AccountRef, caller: 'none', idempotent: false }, ({ input }) =>
  getAccount(input.clientId),
);
