import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { logout } from '../../lib/auth/authService';
import { sessionTokenOf } from '../../lib/auth/gatewayPolicy';
import { expiredSessionCookie } from '../../lib/auth/sessionCookie';
import { secureCookies } from '../../lib/auth/stage';
import { logger } from '../../lib/common/observability';
import { errorToHttpResponse, HttpResponse, toHttpResponse } from '../../lib/common/serviceEvent';

const secure = secureCookies();

/**
 * GET /api/auth/logout: ends the session of the cookie, if there is one, and expires the cookie. Like the
 * authorizer it reads the Cookie header itself, so it takes the raw API Gateway event, not a ServiceCall.
 */
const logOut = async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
  try {
    const token = sessionTokenOf(event);
    if (token !== undefined) await logout(token);
    return toHttpResponse(new HttpResponse({ status: 'OK' }, 200, {}, [expiredSessionCookie(secure)]));
  } catch (error) {
    return errorToHttpResponse(error);
  }
};

export const handler = middy(logOut).use(injectLambdaContext(logger, { resetKeys: true }));
