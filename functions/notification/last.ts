import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logger } from '../../lib/common/observability';
import { Body } from '../../lib/common/schemas';
import { serviceEvent, validInput } from '../../lib/common/serviceEvent';
import { lastNotification } from '../../lib/notification/notificationService';

/** notification/last: the newest notification of all, or 404 when there is none. */
const last = () => lastNotification();

export const handler = middy(last)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(serviceEvent())
  .use(validInput(Body({})));
