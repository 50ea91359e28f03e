import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { api, apiUrl, get, post, uniqueSuffix, type ApiResponse } from '../support/api';
import { db, getItem, tableName } from './support/dynamo';

const newLogin = () => `user.${uniqueSuffix()}`;
const password = 'correct horse battery';

/** A client (Client service), its account with a balance (Billing service) and a user for it (Auth service). */
async function newUser(options: { password?: string; balance?: number } = {}) {
  const client = await post('/dev/clientService/client/add', {
    firstName: 'Ann',
    lastName: 'Lee',
    email: `ann.${uniqueSuffix()}@example.com`,
  });
  expect(client.status).toBe(200);
  const clientId: string = client.body.id;
  expect((await post('/dev/billingService/billing/createAccount', { clientId })).status).toBe(200);
  if (options.balance) {
    expect((await post('/dev/billingService/billing/deposit', { clientId, sum: options.balance })).status).toBe(200);
  }
  const login = newLogin();
  const registered = await post('/dev/authService/user/register', {
    login,
    password: options.password ?? password,
    clientId,
  });
  expect(registered.status).toBe(200);
  return { login, clientId, client: client.body, userId: registered.body.userId as string };
}

const setCookieOf = (response: ApiResponse) => response.headers.getSetCookie();
/** The `session=<value>` pair a login answered with, ready to send back as a Cookie header. */
function sessionCookieOf(response: ApiResponse): string {
  const [cookie] = setCookieOf(response);
  const pair = cookie?.split(';')[0] ?? '';
  expect(pair).toMatch(/^session=[A-Za-z0-9_-]{43}$/);
  return pair;
}

const logIn = (login: string, pass = password) => post('/api/auth/login', { login, password: pass });
const me = (headers: Record<string, string> = {}, query = '') => get(`/api/me${query}`, headers);

async function loggedIn(options: { password?: string; balance?: number } = {}) {
  const user = await newUser(options);
  const response = await logIn(user.login, options.password ?? password);
  expect(response.status).toBe(200);
  return { ...user, cookie: sessionCookieOf(response) };
}

/** The authorizer's refusal: 401 `{"error":"Unauthorized"}`, the UNAUTHORIZED GatewayResponse, locally too. */
function expectRefused(response: ApiResponse) {
  expect([response.status, response.body]).toEqual([401, { error: 'Unauthorized' }]);
}

/*
 * Logging in needs the local gateway to pass a Set-Cookie with attributes. serverless-offline 13 with
 * @hapi/statehood 8.2.1 cannot (its stricter cookie-value check turns the login's answer into a 500,
 * hapijs/statehood#90); with 8.2.0 it can, so the project pins that version.
 */
describe('Auth service: register, log in, /api/me', () => {
  it('registers a user, logs in and answers /api/me from the session', async () => {
    const user = await loggedIn({ balance: 25.5 });

    const profile = await me({ Cookie: user.cookie });

    expect([profile.status, profile.body]).toEqual([
      200,
      {
        clientId: user.clientId,
        login: user.login,
        firstName: 'Ann',
        lastName: 'Lee',
        email: user.client.email,
        balance: 25.5,
      },
    ]);
  });

  it('sets the session cookie HttpOnly, SameSite=Lax, for the whole site, for 12 hours (no Secure on local)', async () => {
    const user = await newUser();

    const response = await logIn(user.login);

    expect([response.status, response.body]).toEqual([200, { status: 'OK' }]);
    expect(setCookieOf(response)).toEqual([
      expect.stringMatching(/^session=[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Lax; Path=\/; Max-Age=43200$/),
    ]);
  });

  it('stores the session under the hash of the cookie, never the cookie itself', async () => {
    const user = await loggedIn();
    const token = user.cookie.slice('session='.length);

    const byToken = await getItem('sessions', { id: token });

    expect(byToken).toBeUndefined();
    expect((await me({ Cookie: user.cookie })).status).toBe(200);
  });

  it('refuses a taken login with 409, but answers a repeated request like the first', async () => {
    const { clientId, login } = await newUser();
    const requestId = `register-${uniqueSuffix()}`;
    const again = { login: newLogin(), password, clientId };

    const taken = await post('/dev/authService/user/register', { login, password, clientId });
    const first = await post('/dev/authService/user/register', again, { 'X-Request-Id': requestId });
    const repeat = await post('/dev/authService/user/register', again, { 'X-Request-Id': requestId });

    expect([taken.status, taken.body]).toEqual([409, { error: 'Login is already taken' }]);
    expect(first.status).toBe(200);
    expect([repeat.status, repeat.body]).toEqual([200, first.body]);
  });

  it('treats logins that differ only in case or Unicode form as one login, at registration and at login', async () => {
    const { clientId } = await newUser();
    const suffix = uniqueSuffix();

    const first = await post('/dev/authService/user/register', { login: `Ivan.${suffix}`, password, clientId });
    const lower = await post('/dev/authService/user/register', { login: `ivan.${suffix}`, password, clientId });
    const fullWidth = await post('/dev/authService/user/register', {
      login: `ＩＶＡＮ.${suffix}`,
      password,
      clientId,
    });
    const loggedInAs = await logIn(`IVAN.${suffix}`);

    expect([first.status, first.body.login]).toEqual([200, `ivan.${suffix}`]);
    expect([lower.status, lower.body]).toEqual([409, { error: 'Login is already taken' }]);
    expect(fullWidth.status).toBe(409);
    expect(loggedInAs.status).toBe(200);
  });

  it('refuses a login or a name with an invisible character, writing nothing', async () => {
    const { clientId } = await newUser();

    const login = await post('/dev/authService/user/register', {
      login: `iv\u200Ban.${uniqueSuffix()}`,
      password,
      clientId,
    });
    const name = await post('/dev/clientService/client/add', {
      firstName: 'Iv\u200Ban',
      lastName: 'Lee',
      email: `ann.${uniqueSuffix()}@example.com`,
    });

    expect(login.status).toBe(400);
    expect([name.status, name.body]).toEqual([
      400,
      { error: 'Invalid request: firstName: must not contain control or invisible characters' },
    ]);
  });

  it('logs in with a unicode password', async () => {
    const unicode = 'пароль-🔑-ü-日本語';
    const user = await newUser({ password: unicode });

    const response = await logIn(user.login, unicode);
    const nfd = await logIn(user.login, unicode.normalize('NFD'));

    expect(response.status).toBe(200);
    expect(nfd.status).toBe(401);
  });

  it('answers the sign-in page publicly', async () => {
    const response = await get('/api/auth/signin');

    expect([response.status, response.body]).toEqual([200, { message: 'Please login!' }]);
  });
});

describe('Auth service: attacks', () => {
  it('refuses /api/me without a cookie', async () => {
    expectRefused(await me());
  });

  it.each([
    ['a random session id', () => `session=${randomBytes(32).toString('base64url')}`],
    ['an empty session', () => 'session='],
    ['quotes', () => `session="${'A'.repeat(41)}"`],
    ['a very long value', () => `session=${'A'.repeat(12_000)}`],
    ['other cookies only', () => 'theme=dark; lang=en'],
  ])('refuses a cookie with %s', async (_case, cookie) => {
    expectRefused(await me({ Cookie: cookie() }));
  });

  // The local gateway used to parse request cookies itself and answer these 400 before any authorizer ran;
  // like API Gateway it now passes them on, and the authorizer's strict parser refuses them (issue 12).
  it.each([
    ['an injected separator', `session=${'A'.repeat(20)};${'A'.repeat(22)}`],
    ['a tab and spaces', `session=${'A'.repeat(20)}\t ${'A'.repeat(21)}`],
  ])('refuses a cookie with %s with a 401', async (_case, cookie) => {
    expectRefused(await me({ Cookie: cookie }));
  });

  it('refuses a second session smuggled beside a valid one', async () => {
    const user = await loggedIn();

    expectRefused(await me({ Cookie: `${user.cookie}; session=${randomBytes(32).toString('base64url')}` }));
  });

  it('does not let a CR LF in the Cookie header through', async () => {
    const user = await loggedIn();
    const { port } = new URL(apiUrl());
    const raw = [
      'GET /api/me HTTP/1.1',
      `Host: 127.0.0.1:${port}`,
      `Cookie: ${user.cookie}\r\n X-ClientId: other`,
      'Connection: close',
      '',
      '',
    ].join('\r\n');

    const status = await new Promise<number>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => socket.write(raw));
      let answer = '';
      socket.on('data', (chunk) => (answer += chunk.toString()));
      socket.on('end', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1])));
      socket.on('error', reject);
    });

    expect(status).toBeGreaterThanOrEqual(400);
    expect(status).toBeLessThan(500);
  });

  it('refuses an expired session that is still in the table', async () => {
    const user = await loggedIn();
    const token = randomBytes(32).toString('base64url');
    const { createHash } = await import('node:crypto');
    await db().send(
      new PutCommand({
        TableName: tableName('sessions'),
        Item: {
          id: createHash('sha256').update(token).digest('hex'),
          userId: user.userId,
          clientId: user.clientId,
          login: user.login,
          createdAt: new Date(Date.now() - 13 * 3600_000).toISOString(),
          expiresAt: Math.floor(Date.now() / 1000) - 60,
        },
      }),
    );

    expectRefused(await me({ Cookie: `session=${token}` }));
  });

  it('logs out: deletes the session, expires the cookie, and the old cookie is refused', async () => {
    const user = await loggedIn();

    const out = await get('/api/auth/logout', { Cookie: user.cookie });
    const after = await me({ Cookie: user.cookie });

    expect([out.status, out.body]).toEqual([200, { status: 'OK' }]);
    expect(setCookieOf(out)).toEqual(['session=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0']);
    expectRefused(after);
  });

  // Changed with issue 12: a logout that names no session ends nothing, so it no longer answers OK.
  it('refuses a logout that names no session, and says no OK', async () => {
    const out = await get('/api/auth/logout');

    expect([out.status, out.body]).toEqual([401, { error: 'No valid session cookie: no session was ended' }]);
    expect(setCookieOf(out)).toEqual([]);
  });

  it('accepts a session cookie sent twice with the same value (Postman: the jar and an explicit header)', async () => {
    const user = await loggedIn();

    const profile = await me({ Cookie: `${user.cookie}; ${user.cookie}` });

    expect(profile.status).toBe(200);
    expect(profile.body).toMatchObject({ clientId: user.clientId, login: user.login });
  });

  it.each(['GET', 'POST'])('logs out with %s and a repeated cookie: the session it names is ended', async (method) => {
    const user = await loggedIn();

    const out = await api(method, '/api/auth/logout', { headers: { Cookie: `${user.cookie}; ${user.cookie}` } });

    expect([out.status, out.body]).toEqual([200, { status: 'OK' }]);
    expect(setCookieOf(out)).toEqual(['session=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0']);
    expectRefused(await me({ Cookie: user.cookie }));
  });

  it('refuses a logout naming two sessions and ends neither', async () => {
    const ann = await loggedIn();
    const bob = await loggedIn();

    const out = await get('/api/auth/logout', { Cookie: `${ann.cookie}; ${bob.cookie}` });

    expect(out.status).toBe(401);
    expect((await me({ Cookie: ann.cookie })).status).toBe(200);
    expect((await me({ Cookie: bob.cookie })).status).toBe(200);
  });

  it('takes identity only from the session, whatever a header or the query string claims', async () => {
    const ann = await loggedIn();
    const bob = await newUser();

    const profile = await me({ Cookie: ann.cookie, 'X-ClientId': bob.clientId }, `?clientId=${bob.clientId}`);

    expect(profile.status).toBe(200);
    expect(profile.body).toMatchObject({ clientId: ann.clientId, login: ann.login });
  });

  it('answers an unknown login exactly like a wrong password', async () => {
    const user = await newUser();

    const wrong = await logIn(user.login, 'not the password');
    const unknown = await logIn(newLogin(), 'not the password');

    expect(wrong.status).toBe(401);
    expect([unknown.status, unknown.body]).toEqual([wrong.status, wrong.body]);
    expect(wrong.body).toEqual({ error: 'Invalid login or password' });
    expect(setCookieOf(wrong)).toEqual([]);
  });

  it.each([
    ['an empty login', JSON.stringify({ login: '', password })],
    ['a missing password', JSON.stringify({ login: 'someone' })],
    ['malformed JSON', '{"login": "someone",'],
    ['an array', JSON.stringify([{ login: 'someone', password }])],
  ])('refuses a login with %s with a 4xx and an error', async (_case, rawBody) => {
    const response = await api('POST', '/api/auth/login', { rawBody });

    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    expect(response.body).toEqual({ error: expect.any(String) });
    expect(setCookieOf(response)).toEqual([]);
  });

  it('refuses a password over 1 MiB with a 4xx, not a 500', async () => {
    const response = await api('POST', '/api/auth/login', {
      rawBody: JSON.stringify({ login: 'someone', password: 'p'.repeat(1024 * 1024 + 1) }),
    });

    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    expect(response.body).toMatchObject({ error: expect.any(String) });
  });

  it('locks a login after five failures, even for the right password, and leaves other logins alone', async () => {
    const victim = await newUser();
    const bystander = await newUser();

    const failures = [];
    for (let i = 0; i < 5; i++) failures.push((await logIn(victim.login, `wrong password ${i}`)).status);
    const right = await logIn(victim.login);
    const other = await logIn(bystander.login);

    expect(failures).toEqual([401, 401, 401, 401, 401]);
    expect([right.status, right.body]).toEqual([429, { error: 'Too many failed logins: try again later' }]);
    expect(setCookieOf(right)).toEqual([]);
    expect(other.status).toBe(200);
  });

  it('checks exactly five passwords of a burst of 30 wrong guesses sent at once, then holds the lock', async () => {
    const victim = await newUser();

    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => logIn(victim.login, `wrong ${i}`)));
    const right = await logIn(victim.login);

    const statuses = answers.map((response) => response.status);
    expect(statuses.filter((status) => status === 401)).toHaveLength(5);
    expect(statuses.filter((status) => status === 429)).toHaveLength(25);
    expect(right.status).toBe(429);
  });

  it('refuses most of a burst of 29 wrong guesses and the right password unchecked', async () => {
    const victim = await newUser();
    const guesses = Array.from({ length: 30 }, (_, i) => (i === 17 ? password : `wrong ${i}`));

    const statuses = (await Promise.all(guesses.map((guess) => logIn(victim.login, guess)))).map((r) => r.status);

    // Five attempts are checked per window; only the right password, if it is among them, opens a new one.
    expect(statuses.every((status) => [200, 401, 429].includes(status))).toBe(true);
    expect(statuses.filter((status) => status === 429).length).toBeGreaterThanOrEqual(20);
  });

  it('resets the failure count on a successful login', async () => {
    const user = await newUser();

    for (let i = 0; i < 4; i++) expect((await logIn(user.login, 'wrong password')).status).toBe(401);
    expect((await logIn(user.login)).status).toBe(200);
    for (let i = 0; i < 4; i++) expect((await logIn(user.login, 'wrong password')).status).toBe(401);

    expect((await logIn(user.login)).status).toBe(200);
  });
});
