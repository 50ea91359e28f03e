import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { LoginInput } from '../../lib/auth/auth';
import { login } from '../../lib/auth/authService';
import { sessionCookie } from '../../lib/auth/sessionCookie';
import { secureCookies } from '../../lib/auth/stage';
import { logger } from '../../lib/common/observability';
import { HttpResponse, serviceEvent, validInput, type ServiceCall } from '../../lib/common/serviceEvent';

const secure = secureCookies();

/** POST /api/auth/login: the right login and password open a session, carried by an HttpOnly cookie. */
const logIn = async ({ input }: ServiceCall<LoginInput>) => {
  const { token } = await login(input);
  return new HttpResponse({ status: 'OK' }, 200, {}, [sessionCookie(token, secure)]);
};

export const handler = middy(logIn)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(serviceEvent())
  .use(validInput(LoginInput));
