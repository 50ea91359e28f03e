import { type z } from 'zod';
import { Login, Password } from '../auth/auth';
import { hashPassword } from '../auth/password';
import { Email } from '../client/client';
import { requireEnv } from '../common/config';
import { NotFound } from '../common/errors';
import { newId } from '../common/ids';
import { Body, NonEmptyText } from '../common/schemas';
import { HttpResponse } from '../common/serviceEvent';
import {
  awaitSaga,
  findSaga,
  executionNameFor,
  requestFingerprint,
  startSaga,
  stillInProgress,
  type SagaOutcome,
} from './saga';

export const RegisterClientRequest = Body({
  login: Login,
  password: Password,
  firstName: NonEmptyText(100),
  lastName: NonEmptyText(100),
  email: Email,
});
export type RegisterClientRequest = z.infer<typeof RegisterClientRequest>;

const registrationSagaArn = () => requireEnv('REGISTRATION_SAGA_ARN');

/** The errors of the registration saga's Fail states (state-machines/registration.asl.json): its final refusals. */
export const REGISTRATION_SAGA_REFUSALS = ['LoginTaken', 'RegistrationFailed'] as const;

/**
 * What the caller is told. Anything but a success or one of the saga's refusals is not final: a running
 * saga, and one that failed at or after the pivot and waits for a redrive (the user may exist), both answer
 * 202 with the status URL, which gives the final answer once the saga has one.
 */
export function registrationOutcomeResponse(outcome: SagaOutcome): HttpResponse {
  const { clientId, login } = outcome.input;
  if (outcome.status === 'SUCCEEDED') return new HttpResponse({ clientId, login });
  if (stillInProgress(outcome, REGISTRATION_SAGA_REFUSALS)) {
    const statusUrl = `/api/client/register_client/${outcome.executionName}`;
    return new HttpResponse({ status: 'PENDING', clientId, executionArn: outcome.executionArn, statusUrl }, 202);
  }
  if (outcome.error === 'LoginTaken') return new HttpResponse({ error: 'This login is already taken' }, 409);
  // RegistrationFailed: a step before the pivot kept failing and the client was rejected; a new attempt may work.
  return new HttpResponse({ error: 'The registration could not be completed; please try again later' }, 502);
}

/**
 * Starts the registration saga and waits for it (up to SAGA_WAIT_MS). The password is hashed here, before
 * the saga starts: the execution's input and history carry the scrypt hash, never the password. The client
 * id is assigned here, from the execution name, so a retried request names the same client.
 */
export async function registerClient(request: RegisterClientRequest, requestId?: string) {
  const { password, ...profile } = request;
  const executionName = executionNameFor(requestId);
  const input = {
    clientId: newId('client', executionName),
    ...profile,
    passwordHash: await hashPassword(password),
    fingerprint: requestFingerprint(profile),
  };
  const executionArn = await startSaga(registrationSagaArn(), executionName, input);
  return registrationOutcomeResponse(await awaitSaga(executionArn));
}

/** The saga behind an earlier 202. */
export async function registrationStatus(executionName: string) {
  const outcome = await findSaga(registrationSagaArn(), executionName);
  if (outcome === undefined) throw new NotFound('Registration not found');
  return registrationOutcomeResponse(outcome);
}
