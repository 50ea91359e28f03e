import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logger } from '../../lib/common/observability';
import { authenticated, requireCaller } from '../../lib/common/requireCaller';
import { Body } from '../../lib/common/schemas';
import { serviceEvent, validInput, type ServiceCall } from '../../lib/common/serviceEvent';
import { listNotificationsOfClient } from '../../lib/notification/notificationService';

/** GET /api/notifications: the signed-in client's notifications, newest first. The client is the session's only. */
const apiNotifications = async (call: ServiceCall) => ({
  notifications: await listNotificationsOfClient(requireCaller(call).clientId),
});

export const handler = middy(apiNotifications)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(serviceEvent())
  .use(authenticated())
  .use(validInput(Body({})));
