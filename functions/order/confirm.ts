import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { idempotent } from '../../lib/common/idempotency';
import { logger } from '../../lib/common/observability';
import { serviceEvent, validInput, type ServiceCall } from '../../lib/common/serviceEvent';
import { OrderRef } from '../../lib/order/order';
import { confirmOrder } from '../../lib/order/orderService';

/** order/confirm: PENDING → CONFIRMED once the payment went through (the order saga's last step). */
const confirm = async ({ input }: ServiceCall<OrderRef>) => {
  await confirmOrder(input.orderId);
  return { status: 'OK' };
};

export const handler = middy(confirm)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(serviceEvent())
  .use(validInput(OrderRef))
  .use(idempotent());
