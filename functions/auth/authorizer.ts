import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { findSession } from '../../lib/auth/authService';
import { allowPolicy, sessionTokenOf } from '../../lib/auth/gatewayPolicy';
import { logger, recordBusinessEvent } from '../../lib/common/observability';

/**
 * The gateway's session check (a REQUEST authorizer on the Cookie header). Throwing exactly
 * `Error('Unauthorized')` is how a Lambda authorizer asks API Gateway for a 401; any other error is a
 * 500 there, which is what a DynamoDB failure should be. No cookie value is ever logged.
 */
const authorize = async (event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> => {
  const token = sessionTokenOf(event);
  const session = token === undefined ? undefined : await findSession(token);
  if (session === undefined) {
    logger.info('Session refused', { reason: token === undefined ? 'no valid session cookie' : 'unknown or expired' });
    recordBusinessEvent('AuthorizerDenials');
    throw new Error('Unauthorized');
  }
  return allowPolicy(session, event.methodArn);
};

export const handler = middy(authorize).use(injectLambdaContext(logger, { resetKeys: true }));
