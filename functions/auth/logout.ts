import { endSession } from '../../lib/auth/authService';
import { expiredSessionCookie } from '../../lib/auth/sessionCookie';
import { secureCookies } from '../../lib/auth/stage';
import { serviceHandler } from '../../lib/common/handler';
import { HttpResponse } from '../../lib/common/serviceEvent';

const secure = secureCookies();

/**
 * POST (and, as the original system had it, GET) /api/auth/logout: ends the session the cookie names and
 * expires the cookie. It takes no body and no authorizer: the cookie itself is what it ends (401 without one).
 */
export const handler = serviceHandler(
  { input: 'none', caller: 'none', idempotent: false, cookies: true },
  async ({ cookies }) => {
    await endSession(cookies ?? []);
    return new HttpResponse({ status: 'OK' }, 200, {}, [expiredSessionCookie(secure)]);
  },
);
