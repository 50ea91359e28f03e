import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { AddClientInput } from '../../lib/client/client';
import { addClient } from '../../lib/client/clientService';
import { idempotent } from '../../lib/common/idempotency';
import { logger } from '../../lib/common/observability';
import { serviceEvent, validInput, type ServiceCall } from '../../lib/common/serviceEvent';

/** client/add: a new client in status PENDING (step 1 of the registration saga). */
const add = ({ input, requestId }: ServiceCall<AddClientInput>) => addClient(input, requestId);

export const handler = middy(add)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(serviceEvent())
  .use(validInput(AddClientInput))
  .use(idempotent());
