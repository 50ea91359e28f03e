import { AccountRef } from '../../lib/billing/billing';
import { listTransactions } from '../../lib/billing/billingService';
import { serviceHandler } from '../../lib/common/handler';

/** billing/{clientId}/transactions: the ledger, oldest first, or 404. */
export const handler = serviceHandler({ input: AccountRef, caller: 'none', idempotent: false }, ({ input }) =>
  listTransactions(input.clientId),
);
