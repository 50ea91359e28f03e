import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MoneyMoveInput } from '../../lib/billing/billing';
import { deposit as depositMoney } from '../../lib/billing/billingService';
import { toMinorUnits } from '../../lib/common/money';
import { idempotent } from '../../lib/common/idempotency';
import { logger } from '../../lib/common/observability';
import { serviceEvent, validInput, type ServiceCall } from '../../lib/common/serviceEvent';

/** billing/deposit: adds the sum, exactly once per request id. Also the order saga's refund. */
const deposit = ({ input, requestId }: ServiceCall<MoneyMoveInput>) =>
  depositMoney(input.clientId, toMinorUnits(input.sum), requestId);

export const handler = middy(deposit)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(serviceEvent())
  .use(validInput(MoneyMoveInput))
  .use(idempotent());
