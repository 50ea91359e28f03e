import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logger } from '../../lib/common/observability';
import { authenticated, requireCaller } from '../../lib/common/requireCaller';
import { Body } from '../../lib/common/schemas';
import { serviceEvent, validInput, type ServiceCall } from '../../lib/common/serviceEvent';
import { listOrdersOfClient } from '../../lib/order/orderService';

/** GET /api/orders: the signed-in client's orders, newest first. The client is the session's, never the request's. */
const apiOrders = async (call: ServiceCall) => ({ orders: await listOrdersOfClient(requireCaller(call).clientId) });

export const handler = middy(apiOrders)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(serviceEvent())
  .use(authenticated())
  .use(validInput(Body({})));
