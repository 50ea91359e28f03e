import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { logger, recordBusinessEvent } from '../common/observability';
import { cookieHeadersOf } from '../common/serviceEvent';
import { findSession } from './authService';
import { allowPolicy, sessionTokenOf } from './gatewayPolicy';

/**
 * The gateway's session check (a REQUEST authorizer on the Cookie header): the whole API for a live session,
 * its caller in the context. Throwing exactly `Error('Unauthorized')` is how a Lambda authorizer asks API
 * Gateway for a 401; any other error is a 500 there, which is what a DynamoDB failure should be. No cookie
 * value is ever logged.
 */
export async function authorizeSession(event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> {
  const token = sessionTokenOf(cookieHeadersOf(event));
  const session = token === undefined ? undefined : await findSession(token);
  if (session === undefined) {
    logger.info('Session refused', { reason: token === undefined ? 'no valid session cookie' : 'unknown or expired' });
    recordBusinessEvent('AuthorizerDenials');
    throw new Error('Unauthorized');
  }
  return allowPolicy(session, event.methodArn);
}
