import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { type z } from 'zod';
import { logger } from '../../lib/common/observability';
import { authenticated, requireCaller } from '../../lib/common/requireCaller';
import { serviceEvent, validInput, type ServiceCall } from '../../lib/common/serviceEvent';
import { orderSagaStatus } from '../../lib/sagas/orderSaga';
import { ExecutionRef } from '../../lib/sagas/saga';

/** GET /api/order/create_order/{executionName}: the outcome of an order saga answered earlier with 202. */
const orderStatus = (call: ServiceCall<z.infer<typeof ExecutionRef>>) =>
  orderSagaStatus(requireCaller(call), call.input.executionName);

export const handler = middy(orderStatus)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(serviceEvent())
  .use(authenticated())
  .use(validInput(ExecutionRef));
