import { LoginInput } from '../../lib/auth/auth';
import { login } from '../../lib/auth/authService';
import { sessionCookie } from '../../lib/auth/sessionCookie';
import { secureCookies } from '../../lib/auth/stage';
import { serviceHandler } from '../../lib/common/handler';
import { HttpResponse } from '../../lib/common/serviceEvent';

const secure = secureCookies();

/** POST /api/auth/login: the right login and password open a session, carried by an HttpOnly cookie. */
export const handler = serviceHandler({ input: LoginInput, caller: 'none', idempotent: false }, async ({ input }) => {
  const { token } = await login(input);
  return new HttpResponse({ status: 'OK' }, 200, {}, [sessionCookie(token, secure)]);
});
