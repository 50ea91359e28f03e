import { createHash, randomBytes } from 'node:crypto';

export const SESSION_COOKIE = 'session';
/** 256 random bits, base64url without padding: exactly 43 characters of [A-Za-z0-9_-]. */
const TOKEN_BYTES = 32;
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;
/** Far above any real Cookie header of this site; a longer one is refused without parsing. */
const MAX_COOKIE_HEADER = 8 * 1024;

/**
 * A session lives 12 hours: a working day in the shop without logging in again, short enough that a
 * forgotten cookie on a shared computer stops working by the next day. Sliding expiry is not done.
 */
export const SESSION_TTL_SECONDS = 12 * 60 * 60;

export function newSessionToken(): string {
  return randomBytes(TOKEN_BYTES).toString('base64url');
}

/** The key a session is stored under: a leaked table (or log) of keys gives no usable cookie. */
export function sessionKey(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * The session token from a Cookie header, or undefined. Strict on purpose: every `session` pair must carry
 * the same value, and that value exactly a token's length and alphabet, so quotes, `;`, CR/LF or anything
 * oversized is refused instead of being looked up. A pair repeated with the same value is one session:
 * Postman and newman send a cookie from their jar and again from a request's own `Cookie` header. Two
 * different values are ambiguous and refused. Other cookies (analytics, say) are ignored.
 */
export function sessionTokenFromCookieHeader(header: string | undefined): string | undefined {
  if (header === undefined || header.length === 0 || header.length > MAX_COOKIE_HEADER) return undefined;
  const values = new Set(
    header
      .split(';')
      .map((pair) => pair.trim())
      .filter((pair) => pair.startsWith(`${SESSION_COOKIE}=`))
      .map((pair) => pair.slice(SESSION_COOKIE.length + 1)),
  );
  if (values.size !== 1) return undefined;
  const [value] = values;
  return value !== undefined && TOKEN_PATTERN.test(value) ? value : undefined;
}

/** `Secure` unless the stage is served over plain http (`secureCookies()` in ./stage.ts says which). */
function attributes(maxAge: number, secure: boolean): string {
  return ['HttpOnly', 'SameSite=Lax', 'Path=/', `Max-Age=${maxAge}`, ...(secure ? ['Secure'] : [])].join('; ');
}

export function sessionCookie(token: string, secure: boolean): string {
  return `${SESSION_COOKIE}=${token}; ${attributes(SESSION_TTL_SECONDS, secure)}`;
}

export function expiredSessionCookie(secure: boolean): string {
  return `${SESSION_COOKIE}=; ${attributes(0, secure)}`;
}
