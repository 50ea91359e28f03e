import { expectRefusedWritingNothing } from './support/refusals';
import { get, post, uniqueSuffix } from '../support/api';
import { getItem } from './support/dynamo';

const newClient = () => ({ firstName: 'Ann', lastName: 'Lee', email: `ann.${uniqueSuffix()}@example.com` });

describe('Client service over the dev API', () => {
  it('adds a PENDING client and reads it back by id', async () => {
    const input = newClient();

    const added = await post('/dev/clientService/client/add', input);
    const read = await get(`/dev/clientService/client/${added.body.id}`);

    expect(added.status).toBe(200);
    expect(added.body).toEqual({ id: expect.any(String), ...input, status: 'PENDING' });
    expect(read.body).toEqual(added.body);
  });

  it('approves a PENDING client, and refuses to reject it afterwards', async () => {
    const { body: client } = await post('/dev/clientService/client/add', newClient());

    const approved = await post('/dev/clientService/client/approve', { clientId: client.id });
    const rejected = await post('/dev/clientService/client/reject', { clientId: client.id });

    expect([approved.status, approved.body]).toEqual([200, { status: 'OK' }]);
    expect(rejected.status).toBe(409);
    expect((await get(`/dev/clientService/client/${client.id}`)).body.status).toBe('APPROVED');
  });

  it('rejects a PENDING client and keeps the record', async () => {
    const { body: client } = await post('/dev/clientService/client/add', newClient());

    const rejected = await post('/dev/clientService/client/reject', { clientId: client.id });

    expect(rejected.body).toEqual({ status: 'OK' });
    expect(await getItem('clients', { id: client.id })).toMatchObject({ status: 'REJECTED', email: client.email });
  });

  it('answers 404 with an error for an unknown client', async () => {
    const missing = await get('/dev/clientService/client/does-not-exist');
    const approve = await post('/dev/clientService/client/approve', { clientId: 'does-not-exist' });

    expect([missing.status, missing.body]).toEqual([404, { error: 'Client not found' }]);
    expect(approve.status).toBe(404);
  });

  it('creates one client for a repeated X-Request-Id', async () => {
    const input = newClient();
    const headers = { 'X-Request-Id': `add-${uniqueSuffix()}` };

    const first = await post('/dev/clientService/client/add', input, headers);
    const second = await post('/dev/clientService/client/add', input, headers);

    expect(second.body).toEqual(first.body);
  });

  it.each([
    ['malformed JSON', '{"firstName": "Ann",'],
    ['an empty body', ''],
    ['a missing field', JSON.stringify({ firstName: 'Ann', lastName: 'Lee' })],
    ['a wrong type', JSON.stringify({ firstName: 1, lastName: 'Lee', email: 'a@b.co' })],
    ['an unknown field', JSON.stringify({ firstName: 'A', lastName: 'L', email: 'a@b.co', admin: true })],
    ['an empty string', JSON.stringify({ firstName: '', lastName: 'L', email: 'a@b.co' })],
    ['an invalid email', JSON.stringify({ firstName: 'A', lastName: 'L', email: 'a@b' })],
    ['a body over 64 KiB', JSON.stringify({ firstName: 'A'.repeat(70_000), lastName: 'L', email: 'a@b.co' })],
  ])('refuses %s with a 4xx and an error, writing nothing', async (_case, rawBody) => {
    await expectRefusedWritingNothing('/dev/clientService/client/add', rawBody, 'clients');
  });
});

describe('Service probes', () => {
  it.each(['client', 'auth', 'billing', 'order', 'notification'])('answers for the %s service', async (name) => {
    const hello = await get(`/dev/${name}Service`);
    const health = await get(`/dev/${name}Service/health`);

    expect(hello.body).toEqual({ result: `I am ${name} service` });
    expect([health.status, health.body]).toEqual([200, { status: 'OK' }]);
  });
});
