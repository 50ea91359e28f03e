import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logger } from '../../lib/common/observability';
import { authenticated, requireCaller } from '../../lib/common/requireCaller';
import { serviceEvent, validInput, type ServiceCall } from '../../lib/common/serviceEvent';
import { CreateOrderRequest, placeOrder } from '../../lib/sagas/orderSaga';

/** POST /api/order/create_order {sum}: runs the order saga for the signed-in client and waits for it. */
const createOrder = (call: ServiceCall<CreateOrderRequest>) =>
  placeOrder(requireCaller(call), call.input, call.requestId);

export const handler = middy(createOrder)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(serviceEvent())
  .use(authenticated())
  .use(validInput(CreateOrderRequest));
