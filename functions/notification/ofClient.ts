import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logger } from '../../lib/common/observability';
import { serviceEvent, validInput, type ServiceCall } from '../../lib/common/serviceEvent';
import { ClientRef } from '../../lib/notification/notification';
import { listNotificationsOfClient } from '../../lib/notification/notificationService';

/** notification/client/{clientId}: one client's notifications, newest first (an unknown client has none). */
const ofClient = async ({ input }: ServiceCall<ClientRef>) => ({
  clientId: input.clientId,
  notifications: await listNotificationsOfClient(input.clientId),
});

export const handler = middy(ofClient)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(serviceEvent())
  .use(validInput(ClientRef));
