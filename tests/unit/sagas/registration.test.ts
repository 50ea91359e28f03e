import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { hashPassword } from '../../../lib/auth/password';
import { registerClient, registrationOutcomeResponse, registrationStatus } from '../../../lib/sagas/registrationSaga';
import { requestFingerprint } from '../../../lib/sagas/saga';

process.env['REGISTRATION_SAGA_ARN'] = 'arn:aws:states:us-east-1:000000000000:stateMachine:shop-test-registrationSaga';
const sfn = mockClient(SFNClient);
const request = {
  login: 'ivan',
  password: 'correct horse battery',
  firstName: 'Ivan',
  lastName: 'Petrov',
  email: 'ivan@example.com',
};
const { password, ...profile } = request;
const statusToken = 'T'.repeat(22);

/** The execution a first request with this password left behind, as DescribeExecution answers it. */
async function firstExecution(status: 'RUNNING' | 'SUCCEEDED', firstPassword = password) {
  const input = {
    clientId: 'client-1',
    ...profile,
    passwordHash: await hashPassword(firstPassword),
    statusToken,
    fingerprint: requestFingerprint(profile),
  };
  return { name: 'key-1', status, input: JSON.stringify(input) };
}

describe('Saga: registration', () => {
  beforeEach(() => sfn.reset());

  it("gives a running registration a status URL with the saga's random token", () => {
    const response = registrationOutcomeResponse({
      executionArn: 'arn:…:key-1',
      executionName: 'key-1',
      status: 'RUNNING',
      input: { clientId: 'client-1', login: 'ivan', statusToken },
    });

    expect([response.statusCode, response.body]).toEqual([
      202,
      expect.objectContaining({ status: 'PENDING', statusUrl: `/api/client/register_client/key-1.${statusToken}` }),
    ]);
  });

  it('starts the saga with a fresh 128-bit status token and no password', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:x' });
    sfn.on(DescribeExecutionCommand).resolves(await firstExecution('SUCCEEDED'));

    await registerClient(request, 'key-1');

    const input = JSON.parse(String(sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input.input)) as Record<
      string,
      string
    >;
    expect(input['statusToken']).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(JSON.stringify(input)).not.toContain(password);
  });

  it('answers a replay with the same password like the first request', async () => {
    sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }));
    sfn.on(DescribeExecutionCommand).resolves(await firstExecution('SUCCEEDED'));

    const response = await registerClient(request, 'key-1');

    expect([response.statusCode, response.body]).toEqual([200, { clientId: 'client-1', login: 'ivan' }]);
  });

  it('refuses a replay with the same key and profile but another password (422)', async () => {
    sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }));
    sfn.on(DescribeExecutionCommand).resolves(await firstExecution('SUCCEEDED', 'another password here'));

    await expect(registerClient(request, 'key-1')).rejects.toMatchObject({ name: 'IdempotencyKeyReused' });
  });

  it('answers a status only for the ticket with the right token', async () => {
    sfn.on(DescribeExecutionCommand).resolves(await firstExecution('SUCCEEDED'));

    const right = await registrationStatus({ ticket: `key-1.${statusToken}` });
    const wrong = registrationStatus({ ticket: `key-1.${'W'.repeat(22)}` });

    expect(right.body).toEqual({ clientId: 'client-1', login: 'ivan' });
    await expect(wrong).rejects.toMatchObject({ name: 'NotFound', message: 'Registration not found' });
  });
});
