import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { profileOf } from '../../lib/auth/profile';
import { logger } from '../../lib/common/observability';
import { serviceEvent, type ServiceCall } from '../../lib/common/serviceEvent';

/** GET /api/me (behind the authorizer): who is signed in, with the client's details and balance. */
const me = ({ caller }: ServiceCall) => profileOf(caller);

export const handler = middy(me)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(serviceEvent());
