import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { ClientRef } from '../../lib/client/client';
import { rejectClient } from '../../lib/client/clientService';
import { idempotent } from '../../lib/common/idempotency';
import { logger } from '../../lib/common/observability';
import { serviceEvent, validInput, type ServiceCall } from '../../lib/common/serviceEvent';

/** client/reject: PENDING → REJECTED, the compensation of client/add. The record is kept. */
const reject = async ({ input }: ServiceCall<ClientRef>) => {
  await rejectClient(input.clientId);
  return { status: 'OK' };
};

export const handler = middy(reject)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(serviceEvent())
  .use(validInput(ClientRef))
  .use(idempotent());
