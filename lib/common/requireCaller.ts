import type { MiddlewareObj } from '@middy/core';
import { Unauthorized } from './errors';
import type { Caller, ServiceCall } from './serviceEvent';

/** The caller the gateway's authorizer established, or 401: a client's own API has no other source of identity. */
export function requireCaller(call: ServiceCall): Caller {
  if (call.caller === undefined) throw new Unauthorized('Authentication required');
  return call.caller;
}

/** Refuses an unauthenticated call before its input is even looked at (so no 400 leaks ahead of the 401). */
export function authenticated(): MiddlewareObj<ServiceCall> {
  return {
    before: (request) => {
      requireCaller(request.event);
    },
  };
}

/** A call that `authenticated()` has let through: its caller is known. */
export type AuthenticatedCall<TInput> = ServiceCall<TInput> & { caller: Caller };
