import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logger } from '../../lib/common/observability';
import { authenticated, requireCaller } from '../../lib/common/requireCaller';
import { serviceEvent, validInput, type ServiceCall } from '../../lib/common/serviceEvent';
import { OrderRef } from '../../lib/order/order';
import { getOrderOfClient } from '../../lib/order/orderService';

/** GET /api/orders/{orderId}: one of the signed-in client's orders; anyone else's is 404 like a missing one. */
const apiOrder = (call: ServiceCall<OrderRef>) => getOrderOfClient(call.input.orderId, requireCaller(call).clientId);

export const handler = middy(apiOrder)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(serviceEvent())
  .use(authenticated())
  .use(validInput(OrderRef));
