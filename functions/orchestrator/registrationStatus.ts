import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logger } from '../../lib/common/observability';
import { serviceEvent, validInput, type ServiceCall } from '../../lib/common/serviceEvent';
import { RegistrationTicket, registrationStatus } from '../../lib/sagas/registrationSaga';

/**
 * GET /api/client/register_client/{ticket}: the outcome of a registration answered earlier with 202. Public
 * (there is no session yet): the ticket of the 202's statusUrl, with its random token, is what binds it.
 */
const status = ({ input }: ServiceCall<RegistrationTicket>) => registrationStatus(input);

export const handler = middy(status)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(serviceEvent())
  .use(validInput(RegistrationTicket));
