import { createHash } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { checkInvariants, localCloudSources } from '../../bench/invariants';
import { newId } from '../../lib/common/ids';
import { thrownErrorName } from '../../lib/common/functionErrors';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/config';
import { startLocalCloud, type LocalCloud } from '../../local/localCloud';
import { scrape, total } from '../../local/prometheusText';
import { newRegistration } from './support/journey';
import { TEST_PORT_OFFSETS, testPorts } from '../support/ports';
import { resourceName } from './support/stack';

/**
 * A local cloud of its own whose billingDeposit fails on every call, with `before`, `after` or `duplicate`
 * (the kind is random; /metrics says which it was). `timeout` costs 9 s a call and is left to the unit tests.
 */
const ports = testPorts(TEST_PORT_OFFSETS.faults);
const apiBase = `http://127.0.0.1:${ports.http}`;
const local = {
  region: LOCAL_REGION,
  credentials: {
    accessKeyId: LOCAL_CREDENTIALS.AWS_ACCESS_KEY_ID,
    secretAccessKey: LOCAL_CREDENTIALS.AWS_SECRET_ACCESS_KEY,
  },
};
const lambda = new LambdaClient({ ...local, endpoint: `http://127.0.0.1:${ports.lambda}`, maxAttempts: 1 });
const documents = DynamoDBDocumentClient.from(
  new DynamoDBClient({ ...local, endpoint: `http://127.0.0.1:${ports.dynamodb}` }),
);
const DEPOSIT_FUNCTION = resourceName('billingDeposit');

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${apiBase}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, text: await response.text() };
}

/** billingDeposit's figures in the cloud's /metrics: faults by kind, and how many invocations it has had. */
async function depositFigures(): Promise<{ faults: Record<string, number>; invocations: number }> {
  const samples = await scrape(`http://127.0.0.1:${ports.stepFunctions}/metrics`);
  const faults: Record<string, number> = {};
  for (const { name, labels, value } of samples) {
    const kind = labels['kind'];
    if (name === 'injected_faults_total' && labels['function'] === 'billingDeposit' && kind !== undefined) {
      faults[kind] = value;
    }
  }
  const invocations = total(samples, 'lambda_duration_seconds_count', { function: 'billingDeposit' });
  return { faults, invocations };
}

/** The kind of the one fault injected since `before`, once its line has reached /metrics. */
async function faultSince(before: Record<string, number>): Promise<string> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const { faults } = await depositFigures();
    const kinds = Object.keys(faults).filter((kind) => faults[kind]! > (before[kind] ?? 0));
    if (kinds.length === 1) return kinds[0]!;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('no fault was counted');
}

const ledgerEntry = (clientId: string, requestId: string) =>
  fetch(`${apiBase}/dev/billingService/billing/${clientId}/transactions`)
    .then((response) => response.json() as Promise<{ transactions: { id: string }[] }>)
    .then(({ transactions }) => transactions.filter((entry) => entry.id === newId('ledger-entry', requestId)));

/** Powertools' record of a dev API call with this request id (no caller): `<function>#md5([null, id])`. */
async function idempotencyRecord(requestId: string) {
  const hash = createHash('md5')
    .update(JSON.stringify([null, requestId]))
    .digest('base64');
  const { Item } = await documents.send(
    new GetCommand({ TableName: resourceName('idempotency'), Key: { id: `${DEPOSIT_FUNCTION}#${hash}` } }),
  );
  return Item;
}

describe('Fault injection in a local cloud started with faults', () => {
  let cloud: LocalCloud | undefined;
  let clientId: string;

  beforeAll(async () => {
    cloud = await startLocalCloud({
      fresh: true,
      persist: false,
      ports,
      faults: { rate: 1, kinds: ['before', 'after', 'duplicate'], functions: ['billingDeposit'] },
    });
    const registered = await post('/api/client/register_client', newRegistration());
    clientId = (JSON.parse(registered.text) as { clientId: string }).clientId;
  }, 120_000);

  afterAll(async () => {
    await cloud?.stop();
  });

  it('fails HTTP calls with a 502 and writes as each kind says; a duplicate goes through the whole chain again', async () => {
    const seen = new Set<string>();
    for (let i = 0; seen.size < 3 && i < 40; i++) {
      const requestId = `deposit-${i}`;
      const before = await depositFigures();

      const answer = await post(
        '/dev/billingService/billing/deposit',
        { clientId, sum: 1 },
        { 'X-Request-Id': requestId },
      );

      const kind = await faultSince(before.faults);
      seen.add(kind);
      const written = (await ledgerEntry(clientId, requestId)).length;
      const recordStatus = (await idempotencyRecord(requestId))?.['status'];
      const outcome = { kind, status: answer.status, written, recordStatus };
      if (kind === 'before') {
        expect(outcome).toEqual({ kind, status: 502, written: 0, recordStatus: undefined });
      } else if (kind === 'after') {
        // Died before completing its record: a retry meets 409 until the deadline, then the data-level guard.
        expect(outcome).toEqual({ kind, status: 502, written: 1, recordStatus: 'INPROGRESS' });
      } else {
        // The copy came through the Invoke API and met the first delivery's lock (409) or its stored answer, or
        // took the lock first itself: either way one deposit, and two invocations of the function.
        expect(outcome).toEqual({
          kind,
          status: answer.status === 409 ? 409 : 200,
          written: 1,
          recordStatus: 'COMPLETED',
        });
        expect((await depositFigures()).invocations - before.invocations).toBe(2);
      }
    }
    expect([...seen].sort()).toEqual(['after', 'before', 'duplicate']);
  });

  it('fails a direct invocation (a saga Task) with an error named InjectedFault, which the sagas retry', async () => {
    const names: string[] = [];
    for (let i = 0; !names.includes('InjectedFault') && i < 20; i++) {
      const response = await lambda.send(
        new InvokeCommand({
          FunctionName: DEPOSIT_FUNCTION,
          Payload: new TextEncoder().encode(
            JSON.stringify({ requestId: `task-${i}/Deposit`, input: { clientId, sum: 1 } }),
          ),
        }),
      );
      if (response.FunctionError !== undefined) {
        names.push(thrownErrorName(JSON.parse(new TextDecoder().decode(response.Payload))));
      }
    }

    // A `duplicate` delivers the call twice: whichever of the two answers may be the one that met the other's
    // idempotency lock (RequestInProgress, which the sagas retry too), depending on which ran first.
    expect(names.at(-1)).toBe('InjectedFault');
    expect(names.filter((name) => name !== 'InjectedFault' && name !== 'RequestInProgress')).toEqual([]);
  });

  it('leaves the invariants holding: no deposit counted twice, whatever the faults', async () => {
    const results = await checkInvariants(localCloudSources({ ports }));

    expect(results.filter((result) => !result.holds)).toEqual([]);
  });

  // Last: it takes DynamoDB Local (in memory here) away for good.
  it('answers a session check that cannot read its table 500, as API Gateway answers a failing authorizer: not 401, which would say the session is gone', async () => {
    const registration = newRegistration();
    await post('/api/client/register_client', registration);
    const login = await fetch(`${apiBase}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: registration.login, password: registration.password }),
    });
    const cookie = /session=[^;]+/.exec(login.headers.get('set-cookie') ?? '')?.[0] ?? '';
    const me = () => fetch(`${apiBase}/api/me`, { headers: { cookie } });
    expect((await me()).status).toBe(200);

    await cloud!.emulators.dynamodb.kill();
    const failed = await me();
    const refused = await fetch(`${apiBase}/api/me`);

    expect({
      status: failed.status,
      errorType: failed.headers.get('x-amzn-errortype'),
      body: await failed.json(),
    }).toEqual({ status: 500, errorType: 'AuthorizerConfigurationException', body: { error: 'Internal error' } });
    // No cookie: the authorizer refuses without reading anything, `Error('Unauthorized')`, a 401 as before.
    expect({ status: refused.status, body: await refused.json() }).toEqual({
      status: 401,
      body: { error: 'Unauthorized' },
    });
  });
});
