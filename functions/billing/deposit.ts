import { MoneyMoveInput } from '../../lib/billing/billing';
import { deposit } from '../../lib/billing/billingService';
import { serviceHandler } from '../../lib/common/handler';
import { toMinorUnits } from '../../lib/common/money';

/** billing/deposit: adds the sum, exactly once per request id. Also the order saga's refund. */
export const handler = serviceHandler(
  { input: MoneyMoveInput, caller: 'none', idempotent: true },
  ({ input, requestId }) => deposit(input.clientId, toMinorUnits(input.sum), requestId),
);
