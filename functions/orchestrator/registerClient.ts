import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logger } from '../../lib/common/observability';
import { serviceEvent, validInput, type ServiceCall } from '../../lib/common/serviceEvent';
import { registerClient, RegisterClientRequest } from '../../lib/sagas/registrationSaga';

/** POST /api/client/register_client: runs the registration saga and waits for it. Public: no session yet. */
const register = ({ input, requestId }: ServiceCall<RegisterClientRequest>) => registerClient(input, requestId);

export const handler = middy(register)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(serviceEvent())
  .use(validInput(RegisterClientRequest));
