import { OwnDepositInput } from '../../lib/billing/billing';
import { depositToOwnAccount } from '../../lib/billing/billingService';
import { serviceHandler } from '../../lib/common/handler';
import { toMinorUnits } from '../../lib/common/money';

/**
 * POST /api/billing/deposit: the signed-in client tops up their own account. The account is the one the
 * authorizer vouched for, never one named in the body (the schema refuses a clientId field).
 */
export const handler = serviceHandler(
  { input: OwnDepositInput, caller: 'required', idempotent: true },
  ({ input, requestId, caller }) => depositToOwnAccount(caller, toMinorUnits(input.sum), requestId),
);
