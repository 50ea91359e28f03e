import { authorizeSession } from '../../lib/auth/sessionAuthorizer';
import { observedHandler } from '../../lib/common/handler';

/** The REQUEST authorizer of every protected /api route: a live session cookie, or API Gateway's 401. */
export const handler = observedHandler(authorizeSession);
