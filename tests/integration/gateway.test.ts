import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import { api, apiUrl, get, post, type ApiResponse } from '../support/api';
import {
  asClient,
  deposit,
  executionArn,
  getAsClient,
  newRegistration,
  registerAndSignIn,
  stepFunctions,
} from './support/journey';

/** What API Gateway's GatewayResponses (serverless.yml) answer; tests/deploy checks the template says the same. */
const UNAUTHORIZED = { status: 401, body: { error: 'Unauthorized' }, errorType: 'UnauthorizedException' };
const NO_ROUTE = {
  status: 403,
  body: { error: 'Missing Authentication Token' },
  errorType: 'MissingAuthenticationTokenException',
};

function expectGatewayAnswer(response: ApiResponse, expected: typeof UNAUTHORIZED) {
  expect([response.status, response.body]).toEqual([expected.status, expected.body]);
  expect(response.headers.get('content-type')).toContain('application/json');
  expect(response.headers.get('x-amzn-errortype')).toBe(expected.errorType);
}

/** A request with headers sent exactly as given, a repeated one on lines of its own (fetch would join them). */
function rawRequest(method: string, path: string, headers: Record<string, string | string[]>, body?: unknown) {
  const { hostname, port } = new URL(apiUrl());
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise<{ status: number; body: any }>((resolve, reject) => {
    const req = request(
      { host: hostname, port, path, method, headers: { 'content-type': 'application/json', ...headers } },
      (res) => {
        let text = '';
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

const balanceOf = async (clientId: string) => (await get(`/dev/billingService/billing/${clientId}`)).body.balance;

describe('The local gateway answers as API Gateway does', () => {
  it.each([
    ['no cookie', {}],
    ['an unknown session', { Cookie: `session=${'A'.repeat(43)}` }],
    ['a separator inside the value', { Cookie: `session=${'A'.repeat(20)};${'A'.repeat(22)}` }],
    ['a tab and spaces inside the value', { Cookie: `session=${'A'.repeat(20)}\t ${'A'.repeat(21)}` }],
    ['an unbalanced quote', { Cookie: 'session="AAAA' }],
    ['a cookie hapi cannot parse', { Cookie: 'session=a\\b; =; ;;' }],
  ])('refuses %s with 401 {"error":"Unauthorized"}', async (_case, headers) => {
    expectGatewayAnswer(await get('/api/me', headers), UNAUTHORIZED);
  });

  it.each([
    ['GET', '/nowhere'],
    ['GET', '/api/no/such/route'],
    ['DELETE', '/api/me'],
    ['PUT', '/api/orders'],
    ['POST', '/dev/clientService/client/nope'],
  ])('answers %s %s, a route that does not exist, 403 Missing Authentication Token', async (method, path) => {
    const response = await api(method, path, method === 'GET' || method === 'DELETE' ? {} : { body: {} });

    expectGatewayAnswer(response, NO_ROUTE);
    expect(JSON.stringify(response.body)).not.toContain('existingRoutes');
  });
});

describe('The local gateway has no identity override', () => {
  it('ignores sls-offline-authorizer-override: the session alone says who the caller is', async () => {
    const attacker = await registerAndSignIn();
    const victim = await registerAndSignIn();
    await deposit(victim, 100);
    const override = {
      'sls-offline-authorizer-override': JSON.stringify({
        userId: 'u',
        clientId: victim.clientId,
        login: victim.login,
      }),
    };

    const profile = await get('/api/me', asClient(attacker, override));
    const orders = await api('GET', '/api/orders', { headers: asClient(attacker, override) });
    const deposited = await post('/api/billing/deposit', { sum: 5 }, asClient(attacker, override));
    const anonymous = await get('/api/me', override);

    expect(profile.body).toMatchObject({ clientId: attacker.clientId, login: attacker.login, balance: 0 });
    expect(orders.body).toEqual({ orders: [] });
    expect([deposited.status, deposited.body]).toEqual([200, { clientId: attacker.clientId, balance: 5 }]);
    expect(await balanceOf(victim.clientId)).toBe(100);
    expectGatewayAnswer(anonymous, UNAUTHORIZED);
  });
});

describe('Sums on the public API', () => {
  it.each([
    ['/api/order/create_order', 1e-9],
    ['/api/order/create_order', 0.001],
    ['/api/billing/deposit', 5e-9],
    ['/api/billing/deposit', 10.005],
  ])('%s refuses a sum of %p with a 400, writing nothing', async (path, sum) => {
    const client = await registerAndSignIn();

    const response = await post(path, { sum }, asClient(client));

    expect([response.status, response.body]).toEqual([
      400,
      { error: 'Invalid request: sum: must be a whole number of cents, at least 0.01' },
    ]);
    expect(await balanceOf(client.clientId)).toBe(0);
    expect((await getAsClient(client, '/api/orders')).body).toEqual({ orders: [] });
  });
});

describe('One Idempotency-Key rule on every endpoint', () => {
  const keyRule = { error: 'Idempotency-Key must be 1 to 256 visible ASCII characters, without a comma' };

  it('accepts a key of 256 characters on the deposit, whatever the service puts in front of it', async () => {
    const client = await registerAndSignIn();
    const key = 'k'.repeat(256);

    const first = await post('/api/billing/deposit', { sum: 2 }, asClient(client, { 'Idempotency-Key': key }));
    const repeat = await post('/api/billing/deposit', { sum: 2 }, asClient(client, { 'Idempotency-Key': key }));

    expect([first.status, first.body]).toEqual([200, { clientId: client.clientId, balance: 2 }]);
    expect([repeat.status, repeat.body]).toEqual([200, first.body]);
  });

  it.each([
    ['/api/billing/deposit', { sum: 1 }],
    ['/api/order/create_order', { sum: 1 }],
    ['/api/client/register_client', newRegistration()],
  ])('%s refuses a key of 257 characters, and of 10 000, with a 400', async (path, body) => {
    const client = await registerAndSignIn();

    for (const key of ['k'.repeat(257), 'k'.repeat(10_000)]) {
      const response = await post(path, body, asClient(client, { 'Idempotency-Key': key }));
      expect([response.status, response.body]).toEqual([400, keyRule]);
    }
    expect(await balanceOf(client.clientId)).toBe(0);
  });

  it.each([
    ['/api/billing/deposit', { sum: 1 }],
    ['/api/order/create_order', { sum: 1 }],
    ['/api/client/register_client', newRegistration()],
  ])('%s refuses two Idempotency-Key headers with a 400 instead of joining them', async (path, body) => {
    const client = await registerAndSignIn();

    const response = await rawRequest('POST', path, { cookie: client.cookie, 'Idempotency-Key': ['a-1', 'b-2'] }, body);

    expect([response.status, response.body]).toEqual([400, { error: 'Send one Idempotency-Key header, not 2' }]);
    expect(await balanceOf(client.clientId)).toBe(0);
  });
});

describe('Registration replays and status', () => {
  it('refuses a replay with the same key and profile but another password with a 422', async () => {
    const registration = newRegistration();
    const key = randomUUID();

    const first = await post('/api/client/register_client', registration, { 'Idempotency-Key': key });
    const changed = await post(
      '/api/client/register_client',
      { ...registration, password: `${registration.password} changed` },
      { 'Idempotency-Key': key },
    );
    const same = await post('/api/client/register_client', registration, { 'Idempotency-Key': key });

    expect(first.status).toBe(200);
    expect([changed.status, changed.body]).toEqual([
      422,
      { error: 'This Idempotency-Key was already used for a different request' },
    ]);
    expect([same.status, same.body]).toEqual([200, first.body]);
  });

  it('answers a registration status only with the random token of its ticket', async () => {
    const registration = newRegistration();
    const key = randomUUID();
    const registered = await post('/api/client/register_client', registration, { 'Idempotency-Key': key });
    const execution = await stepFunctions().send(
      new DescribeExecutionCommand({ executionArn: executionArn('registrationSaga', key) }),
    );
    const { statusToken } = JSON.parse(execution.input ?? '{}') as { statusToken: string };

    const withToken = await get(`/api/client/register_client/${key}.${statusToken}`);
    const wrongToken = await get(`/api/client/register_client/${key}.${'A'.repeat(22)}`);
    const bareName = await get(`/api/client/register_client/${key}`);

    expect(statusToken).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect([withToken.status, withToken.body]).toEqual([200, registered.body]);
    expect([wrongToken.status, wrongToken.body]).toEqual([404, { error: 'Registration not found' }]);
    expect(bareName.status).toBe(400);
  });
});
