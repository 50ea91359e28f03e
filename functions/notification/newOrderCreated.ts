import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { idempotent } from '../../lib/common/idempotency';
import { logger } from '../../lib/common/observability';
import { serviceEvent, validInput, type ServiceCall } from '../../lib/common/serviceEvent';
import { NewOrderCreatedInput } from '../../lib/notification/notification';
import { notifyNewOrderCreated } from '../../lib/notification/notificationService';

/** notify/newOrderCreated: stores a new order's notice, addressed with the client the Client service knows (404 if none). */
const newOrderCreated = ({ input, requestId }: ServiceCall<NewOrderCreatedInput>) =>
  notifyNewOrderCreated(input, requestId);

export const handler = middy(newOrderCreated)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(serviceEvent())
  .use(validInput(NewOrderCreatedInput))
  .use(idempotent());
