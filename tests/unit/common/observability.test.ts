import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { handler as approve } from '../../../functions/client/approve';
import { correlationIdOf, logger, REDACTED, redactSecrets } from '../../../lib/common/observability';
import { serviceEvent } from '../../../lib/common/serviceEvent';
import { callDirect } from '../support/events';
import { captureLogs } from '../support/logCapture';

process.env['CLIENTS_TABLE'] = 'clients';
const dynamo = mockClient(DynamoDBDocumentClient);

describe('Observability: logs and business metrics', () => {
  beforeEach(() => dynamo.reset());

  it('redacts passwords, hashes, session ids and cookies at any depth', async () => {
    const { logs } = await captureLogs(async () => {
      logger.info('login', {
        login: 'ivan',
        password: 'hunter22',
        nested: { passwordHash: 'scrypt$x', Cookie: 'session=abc' },
      });
    });

    expect(logs).toContain('"login":"ivan"');
    expect(logs).not.toContain('hunter22');
    expect(logs).not.toContain('scrypt$x');
    expect(logs).not.toContain('session=abc');
    expect(redactSecrets('Set-Cookie', 'x')).toBe(REDACTED);
  });

  it("redacts a call's Cookie header values (logout's `cookies`) too", () => {
    expect(JSON.stringify({ cookies: ['session=abc'] }, redactSecrets)).toBe(`{"cookies":"${REDACTED}"}`);
  });

  it("uses a Task's execution name as the correlation id", () => {
    expect(correlationIdOf('order-123/Withdraw')).toBe('order-123');
    expect(correlationIdOf('my-key')).toBe('my-key');
    expect(correlationIdOf(undefined)).toBeUndefined();
  });

  it('adds the request id and the correlation id of the call to every log line', async () => {
    const request = { event: { requestId: 'exec-9/ApproveClient', input: {} }, context: {}, internal: {} } as never;

    const { logs } = await captureLogs(async () => {
      await serviceEvent().before!(request);
      logger.info('probe');
      logger.resetKeys();
    });

    const probe = logs.split('\n').find((line) => line.includes('"probe"'));
    expect(JSON.parse(probe!)).toMatchObject({ request_id: 'exec-9/ApproveClient', correlation_id: 'exec-9' });
  });

  it('counts a registration once: the first approval, not its repeat', async () => {
    dynamo
      .on(UpdateCommand)
      .resolvesOnce({ Attributes: { status: 'PENDING' } })
      .resolves({ Attributes: { status: 'APPROVED' } });

    const { logs } = await captureLogs(async () => {
      await callDirect(approve, { requestId: 'r1', input: { clientId: 'c1' } });
      await callDirect(approve, { requestId: 'r1', input: { clientId: 'c1' } });
    });

    const emf = logs.split('\n').filter((line) => line.includes('"ClientsRegistered"'));
    expect(emf).toHaveLength(1);
    expect(JSON.parse(emf[0]!)).toMatchObject({
      ClientsRegistered: 1,
      _aws: { CloudWatchMetrics: [{ Namespace: 'SagaShop' }] },
    });
  });
});
