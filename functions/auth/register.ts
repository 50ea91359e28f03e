import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { RegisterInput } from '../../lib/auth/auth';
import { register } from '../../lib/auth/authService';
import { idempotent } from '../../lib/common/idempotency';
import { logger } from '../../lib/common/observability';
import { serviceEvent, validInput, type ServiceCall } from '../../lib/common/serviceEvent';

/** user/register: a login and a password for an existing client; the password is stored only as a hash. */
const registerUser = ({ input, requestId }: ServiceCall<RegisterInput>) => register(input, requestId);

export const handler = middy(registerUser)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(serviceEvent())
  .use(validInput(RegisterInput))
  .use(idempotent());
