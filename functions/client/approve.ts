import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { ClientRef } from '../../lib/client/client';
import { approveClient } from '../../lib/client/clientService';
import { idempotent } from '../../lib/common/idempotency';
import { logger } from '../../lib/common/observability';
import { serviceEvent, validInput, type ServiceCall } from '../../lib/common/serviceEvent';

/** client/approve: PENDING → APPROVED once the user is registered (step 3 of the registration saga). */
const approve = async ({ input }: ServiceCall<ClientRef>) => {
  await approveClient(input.clientId);
  return { status: 'OK' };
};

export const handler = middy(approve)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(serviceEvent())
  .use(validInput(ClientRef))
  .use(idempotent());
