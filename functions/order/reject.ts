import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { idempotent } from '../../lib/common/idempotency';
import { logger } from '../../lib/common/observability';
import { serviceEvent, validInput, type ServiceCall } from '../../lib/common/serviceEvent';
import { RejectOrderInput } from '../../lib/order/order';
import { rejectOrder } from '../../lib/order/orderService';

/** order/reject: PENDING → REJECTED with a reason ("InsufficientFunds"), the compensation of order/create. */
const reject = async ({ input }: ServiceCall<RejectOrderInput>) => {
  await rejectOrder(input.orderId, input.reason);
  return { status: 'OK' };
};

export const handler = middy(reject)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(serviceEvent())
  .use(validInput(RejectOrderInput))
  .use(idempotent());
