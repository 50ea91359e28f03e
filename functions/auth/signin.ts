import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logger } from '../../lib/common/observability';
import { serviceEvent } from '../../lib/common/serviceEvent';

/** GET /api/auth/signin: where a client without a session is sent to log in. */
const signin = async () => ({ message: 'Please login!' });

export const handler = middy(signin)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(serviceEvent());
