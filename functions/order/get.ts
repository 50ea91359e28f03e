import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logger } from '../../lib/common/observability';
import { serviceEvent, validInput, type ServiceCall } from '../../lib/common/serviceEvent';
import { OrderRef } from '../../lib/order/order';
import { getOrder } from '../../lib/order/orderService';

/** order/{orderId}: one order (with its reason when rejected), or 404. */
const get = ({ input }: ServiceCall<OrderRef>) => getOrder(input.orderId);

export const handler = middy(get)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(serviceEvent())
  .use(validInput(OrderRef));
