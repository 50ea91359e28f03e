import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { idempotent } from '../../lib/common/idempotency';
import { logger } from '../../lib/common/observability';
import { serviceEvent, validInput, type ServiceCall } from '../../lib/common/serviceEvent';
import { CreateOrderInput } from '../../lib/order/order';
import { createOrder } from '../../lib/order/orderService';

/** order/create: a new order in status PENDING (step 1 of the order saga); a repeated request id gets the same order. */
const create = async ({ input, requestId }: ServiceCall<CreateOrderInput>) => {
  const { id, clientId, sum, status } = await createOrder(input, requestId);
  return { id, clientId, sum, status };
};

export const handler = middy(create)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(serviceEvent())
  .use(validInput(CreateOrderInput))
  .use(idempotent());
