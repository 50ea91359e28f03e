import { MoneyMoveInput } from '../../lib/billing/billing';
import { withdraw } from '../../lib/billing/billingService';
import { serviceHandler } from '../../lib/common/handler';
import { toMinorUnits } from '../../lib/common/money';

/** billing/withdraw: takes the sum, exactly once per request id, or InsufficientFunds (402). */
export const handler = serviceHandler(
  { input: MoneyMoveInput, caller: 'none', idempotent: true },
  ({ input, requestId }) => withdraw(input.clientId, toMinorUnits(input.sum), requestId),
);
