import { randomBytes, timingSafeEqual } from 'node:crypto';
import * as z from 'zod';
import { Login, Password } from '../auth/auth';
import { hashPassword, verifyPassword } from '../auth/password';
import { Email } from '../client/client';
import { requireEnv } from '../common/config';
import { NotFound } from '../common/errors';
import { newId } from '../common/ids';
import { Body, PersonName } from '../common/schemas';
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
  firstName: PersonName(100),
  lastName: PersonName(100),
  email: Email,
});
export type RegisterClientRequest = z.infer<typeof RegisterClientRequest>;

const registrationSagaArn = () => requireEnv('REGISTRATION_SAGA_ARN');

/**
 * The last segment of a registration's status URL: `<execution name>.<status token>`. The status route is
 * public (there is no session yet) and answers the login and the client id, so the URL must be unguessable
 * whatever key the caller chose: the token is 128 random bits the saga's input keeps, told only in the 202.
 */
export const RegistrationTicket = Body({
  ticket: z.string().regex(/^[A-Za-z0-9_-]{1,80}\.[A-Za-z0-9_-]{22}$/, 'must be a registration status ticket'),
});
export type RegistrationTicket = z.infer<typeof RegistrationTicket>;
const newStatusToken = () => randomBytes(16).toString('base64url');

/** The errors of the registration saga's Fail states (state-machines/registration.asl.json): its final refusals. */
export const REGISTRATION_SAGA_REFUSALS = ['LoginTaken', 'RegistrationFailed'] as const;

/**
 * What the caller is told. Anything but a success or one of the saga's refusals is not final: a running
 * saga, and one that failed at or after the pivot and waits for a redrive (the user may exist), both answer
 * 202 with the status URL, which gives the final answer once the saga has one.
 */
export function registrationOutcomeResponse(outcome: SagaOutcome): HttpResponse {
  const { clientId, login, statusToken } = outcome.input;
  if (outcome.status === 'SUCCEEDED') return new HttpResponse({ clientId, login });
  if (stillInProgress(outcome, REGISTRATION_SAGA_REFUSALS)) {
    const statusUrl = `/api/client/register_client/${outcome.executionName}.${String(statusToken)}`;
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
 *
 * The execution name is the caller's key. Keys of registrations are global (there is no caller yet to scope
 * them by), which is why a client should send a fresh random UUID: nobody else can then use it first. A
 * retry must be the same request: the same profile (its fingerprint) and the same password, checked against
 * the scrypt hash the first request stored (a salted, keyed hash: the password itself is never stored or
 * compared); any change is a 422.
 */
export async function registerClient(request: RegisterClientRequest, requestId?: string) {
  const { password, ...profile } = request;
  const executionName = executionNameFor(requestId);
  const input = {
    clientId: newId('client', executionName),
    ...profile,
    passwordHash: await hashPassword(password),
    statusToken: newStatusToken(),
    fingerprint: requestFingerprint(profile),
  };
  const samePassword = async (existing: SagaOutcome) =>
    existing.input['fingerprint'] === input.fingerprint &&
    (await verifyPassword(password, String(existing.input['passwordHash'])));
  const started = await startSaga(registrationSagaArn(), executionName, input, samePassword);
  return registrationOutcomeResponse(await awaitSaga(started));
}

const sameToken = (given: string, kept: unknown) =>
  typeof kept === 'string' && kept.length === given.length && timingSafeEqual(Buffer.from(given), Buffer.from(kept));

/** The saga behind an earlier 202, for the one who holds its ticket; anyone else is told it does not exist. */
export async function registrationStatus({ ticket }: RegistrationTicket) {
  const [executionName = '', token = ''] = ticket.split('.');
  const outcome = await findSaga(registrationSagaArn(), executionName);
  if (outcome === undefined || !sameToken(token, outcome.input['statusToken'])) {
    throw new NotFound('Registration not found');
  }
  return registrationOutcomeResponse(outcome);
}
