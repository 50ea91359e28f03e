import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { ClientRef } from '../../lib/client/client';
import { getClient } from '../../lib/client/clientService';
import { logger } from '../../lib/common/observability';
import { serviceEvent, validInput, type ServiceCall } from '../../lib/common/serviceEvent';

/** client/{clientId}: one client, or 404. Also what the Notification service invokes to address a client. */
const get = ({ input }: ServiceCall<ClientRef>) => getClient(input.clientId);

export const handler = middy(get)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(serviceEvent())
  .use(validInput(ClientRef));
