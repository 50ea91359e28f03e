import type { MiddlewareObj } from '@middy/core';
import { Unauthorized } from '../common/errors';
import type { Caller, ServiceCall } from '../common/serviceEvent';

/**
 * For the public API's own-account routes: without an authenticated caller nothing else is looked at,
 * so an anonymous request learns nothing (not even whether its body would have been valid).
 * Runs after serviceEvent(), before validInput().
 */
export function requireCaller(): MiddlewareObj<ServiceCall> {
  return {
    before: (request) => {
      if (request.event.caller === undefined) throw new Unauthorized('Sign in to use your account');
    },
  };
}

export type AuthenticatedCall<TInput> = ServiceCall<TInput> & { caller: Caller };
