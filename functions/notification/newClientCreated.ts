import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { idempotent } from '../../lib/common/idempotency';
import { logger } from '../../lib/common/observability';
import { serviceEvent, validInput, type ServiceCall } from '../../lib/common/serviceEvent';
import { NewClientCreatedInput } from '../../lib/notification/notification';
import { notifyNewClientCreated } from '../../lib/notification/notificationService';

/** notify/newClientCreated: stores a welcome for a new client; a repeated request id stores nothing more. */
const newClientCreated = ({ input, requestId }: ServiceCall<NewClientCreatedInput>) =>
  notifyNewClientCreated(input, requestId);

export const handler = middy(newClientCreated)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(serviceEvent())
  .use(validInput(NewClientCreatedInput))
  .use(idempotent());
