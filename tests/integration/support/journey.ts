import { paginateGetExecutionHistory, SFNClient, type HistoryEvent } from '@aws-sdk/client-sfn';
import type { TaskFault } from '../../../local/faults/taskFaults';
import { api, post, uniqueSuffix } from '../../support/api';
import { executionArn as localExecutionArn } from '../../../local/stackNames';
import { resourceName } from './stack';

/** Steps of a user's journey through the public API, shared by the saga and end-to-end tests. */
export interface SignedInClient {
  clientId: string;
  login: string;
  password: string;
  cookie: string;
}

export function newRegistration() {
  const suffix = uniqueSuffix();
  return {
    login: `ivan_${suffix}`,
    password: `correct horse ${suffix}`,
    firstName: 'Ivan',
    lastName: 'Petrov',
    email: `ivan.${suffix}@example.com`,
  };
}

export async function registerAndSignIn(): Promise<SignedInClient> {
  const registration = newRegistration();
  const registered = await post('/api/client/register_client', registration);
  if (registered.status !== 200) throw new Error(`registration failed: ${JSON.stringify(registered.body)}`);
  const login = await post('/api/auth/login', { login: registration.login, password: registration.password });
  const cookie = /session=[^;]+/.exec(login.headers.get('set-cookie') ?? '')?.[0];
  if (cookie === undefined) throw new Error(`login failed: ${JSON.stringify(login.body)}`);
  return { clientId: registered.body.clientId, login: registration.login, password: registration.password, cookie };
}

export const asClient = (client: SignedInClient, extra: Record<string, string> = {}) => ({
  cookie: client.cookie,
  ...extra,
});

export const deposit = (client: SignedInClient, sum: number) => post('/api/billing/deposit', { sum }, asClient(client));

export const createOrder = (client: SignedInClient, sum: number, idempotencyKey?: string) =>
  post(
    '/api/order/create_order',
    { sum },
    asClient(client, idempotencyKey === undefined ? {} : { 'Idempotency-Key': idempotencyKey }),
  );

export const getAsClient = (client: SignedInClient, path: string) => api('GET', path, { headers: asClient(client) });

/** Faults injected into the local Step Functions endpoint's Task invocations (local/faults/taskFaults.ts). */
export async function injectFault(fault: TaskFault): Promise<void> {
  const response = await fetch(`${process.env['AWS_ENDPOINT_URL_SFN']}/_local/faults`, {
    method: 'POST',
    body: JSON.stringify(fault),
  });
  if (response.status !== 204) throw new Error(`fault refused: ${await response.text()}`);
}

export async function clearFaults(): Promise<void> {
  await fetch(`${process.env['AWS_ENDPOINT_URL_SFN']}/_local/faults`, { method: 'DELETE' });
}

let sfn: SFNClient | undefined;
export const stepFunctions = () => (sfn ??= new SFNClient({}));

export const executionArn = (machine: 'registrationSaga' | 'orderSaga', executionName: string) =>
  localExecutionArn(resourceName(machine), executionName);

export async function historyOf(arn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  for await (const page of paginateGetExecutionHistory({ client: stepFunctions() }, { executionArn: arn })) {
    events.push(...(page.events ?? []));
  }
  return events;
}

/** The states an execution entered, in order. */
export const statesEntered = (events: HistoryEvent[]) =>
  events.filter((event) => event.type?.endsWith('StateEntered')).map((event) => event.stateEnteredEventDetails?.name);
