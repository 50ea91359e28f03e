import type { APIGatewayAuthorizerResult } from 'aws-lambda';
import type { Session } from './auth';
import { sessionTokenFromCookieHeader } from './sessionCookie';

/**
 * `arn:aws:execute-api:<region>:<account>:<apiId>/<stage>/*` from the method ARN of the call being
 * authorised. The policy covers the whole API: API Gateway caches it per Cookie value (when caching is
 * on) and reuses it for every route, so a policy naming only the first route would deny the others.
 */
export function wholeApiArn(methodArn: string): string {
  const [apiArn, stage] = methodArn.split('/');
  if (apiArn === undefined || stage === undefined || !apiArn.startsWith('arn:')) {
    throw new Error(`Unexpected methodArn ${methodArn}`);
  }
  return `${apiArn}/${stage}/*`;
}

export function allowPolicy(session: Session, methodArn: string): APIGatewayAuthorizerResult {
  return {
    principalId: session.userId,
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: wholeApiArn(methodArn) }],
    },
    // The one source of identity for protected handlers (serviceEvent's Caller reads it).
    context: { userId: session.userId, clientId: session.clientId, login: session.login },
  };
}

/**
 * The session token of a request's Cookie header values, all of them joined: a second header smuggling
 * another `session` pair makes the value ambiguous, which the strict parser refuses.
 */
export function sessionTokenOf(cookies: readonly string[]): string | undefined {
  return cookies.length === 0 ? undefined : sessionTokenFromCookieHeader(cookies.join('; '));
}
