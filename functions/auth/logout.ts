import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { logout } from '../../lib/auth/authService';
import { sessionTokenOf } from '../../lib/auth/gatewayPolicy';
import { expiredSessionCookie } from '../../lib/auth/sessionCookie';
import { secureCookies } from '../../lib/auth/stage';
import { Unauthorized } from '../../lib/common/errors';
import { logger } from '../../lib/common/observability';
import { errorToHttpResponse, HttpResponse, toHttpResponse } from '../../lib/common/serviceEvent';

const secure = secureCookies();

/**
 * POST (and, as the original system had it, GET) /api/auth/logout: ends the session the cookie names and
 * expires the cookie. It reads the cookie exactly as the authorizer does (a repeated `session` pair with one
 * value is that session), so it ends the very session the authorizer would accept. Without a cookie naming
 * one session it ends nothing, and says so: it never answers OK for a session that still works. Like the
 * authorizer it takes the raw API Gateway event (a POST without a body), not a ServiceCall.
 */
const logOut = async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
  try {
    const token = sessionTokenOf(event);
    if (token === undefined) throw new Unauthorized('No valid session cookie: no session was ended');
    await logout(token);
    return toHttpResponse(new HttpResponse({ status: 'OK' }, 200, {}, [expiredSessionCookie(secure)]));
  } catch (error) {
    return errorToHttpResponse(error);
  }
};

export const handler = middy(logOut).use(injectLambdaContext(logger, { resetKeys: true }));
