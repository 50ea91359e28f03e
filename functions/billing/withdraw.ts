import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MoneyMoveInput } from '../../lib/billing/billing';
import { withdraw as withdrawMoney } from '../../lib/billing/billingService';
import { toMinorUnits } from '../../lib/common/money';
import { idempotent } from '../../lib/common/idempotency';
import { logger } from '../../lib/common/observability';
import { serviceEvent, validInput, type ServiceCall } from '../../lib/common/serviceEvent';

/** billing/withdraw: takes the sum, exactly once per request id, or InsufficientFunds (402). */
const withdraw = ({ input, requestId }: ServiceCall<MoneyMoveInput>) =>
  withdrawMoney(input.clientId, toMinorUnits(input.sum), requestId);

export const handler = middy(withdraw)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(serviceEvent())
  .use(validInput(MoneyMoveInput))
  .use(idempotent());
