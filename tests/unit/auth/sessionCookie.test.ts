import {
  expiredSessionCookie,
  newSessionToken,
  sessionCookie,
  sessionKey,
  sessionTokenFromCookieHeader,
  SESSION_TTL_SECONDS,
} from '../../../lib/auth/sessionCookie';

const token = newSessionToken();

describe('Module: sessionCookie', () => {
  it('makes 256-bit base64url tokens, different every time', () => {
    const tokens = new Set(Array.from({ length: 100 }, newSessionToken));

    expect(tokens.size).toBe(100);
    for (const value of tokens) expect(value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
  });

  it('stores a session under the SHA-256 of its token, not the token', () => {
    expect(sessionKey(token)).toMatch(/^[0-9a-f]{64}$/);
    expect(sessionKey(token)).not.toContain(token);
  });

  it.each([
    ['the session cookie alone', `session=${token}`],
    ['among other cookies', `theme=dark; session=${token}; _ga=GA1.2.3`],
    ['without a space after the separator', `theme=dark;session=${token}`],
    ['sent twice with the same value (a jar and an explicit header)', `session=${token}; session=${token}`],
    ['sent three times, among others', `session=${token}; theme=dark; session=${token};session=${token}`],
  ])('finds the token in %s', (_case, header) => {
    expect(sessionTokenFromCookieHeader(header)).toBe(token);
  });

  it.each([
    ['no header', undefined],
    ['an empty header', ''],
    ['no session cookie', 'theme=dark'],
    ['a token too short', `session=${token.slice(1)}`],
    ['a token too long', `session=${token}A`],
    ['a quoted token', `session="${token}"`],
    ['an injected separator', `session=${token.slice(0, 20)};${token.slice(21)}`],
    ['base64 padding and plus', `session=${token.slice(0, 41)}+=`],
    ['a CR LF', `session=${token.slice(0, 42)}\r\nX: y`],
    ['two session cookies', `session=${token}; session=${newSessionToken()}`],
    ['the same session twice and a third one', `session=${token}; session=${token}; session=${newSessionToken()}`],
    ['a session beside an empty one', `session=${token}; session=`],
    ['a differently named cookie', `Session=${token}`],
    ['a very long header', `session=${token}; junk=${'x'.repeat(10_000)}`],
  ])('refuses %s', (_case, header) => {
    expect(sessionTokenFromCookieHeader(header)).toBeUndefined();
  });

  it('sets a cookie script cannot read, sent on same-site navigation, Secure off the local stage', () => {
    expect(sessionCookie(token, true)).toBe(
      `session=${token}; HttpOnly; SameSite=Lax; Path=/; Max-Age=${SESSION_TTL_SECONDS}; Secure`,
    );
    expect(sessionCookie(token, false)).not.toContain('Secure');
    expect(expiredSessionCookie(true)).toBe('session=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0; Secure');
  });
});
