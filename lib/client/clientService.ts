import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../common/aws';
import { recordBusinessEvent } from '../common/observability';
import { putOnce } from '../common/putOnce';
import { tables } from '../common/config';
import { Conflict, NotFound } from '../common/errors';
import { newId } from '../common/ids';
import { transitionStatus } from '../common/transition';
import type { AddClientInput, Client } from './client';

interface ClientRecord extends Client {
  createdAt: string;
  updatedAt: string;
}

function toClient({ id, firstName, lastName, email, status }: ClientRecord): Client {
  return { id, firstName, lastName, email, status };
}

export async function findClient(clientId: string): Promise<Client | undefined> {
  const { Item } = await documentClient.send(new GetCommand({ TableName: tables.clients(), Key: { id: clientId } }));
  return Item === undefined ? undefined : toClient(Item as ClientRecord);
}

export async function getClient(clientId: string): Promise<Client> {
  const client = await findClient(clientId);
  if (client === undefined) throw new NotFound('Client not found');
  return client;
}

/**
 * Creates a client in status PENDING. The id is the caller's (the saga assigns one) or derives from the
 * request id, so a repeated request finds its own record (the conditional put fails) and answers with it
 * instead of creating a second client. An id already used for another client is a conflict.
 */
export async function addClient(input: AddClientInput, requestId?: string): Promise<Client> {
  const now = new Date().toISOString();
  const { clientId, ...details } = input;
  const record: ClientRecord = {
    id: clientId ?? newId('client', requestId),
    ...details,
    status: 'PENDING',
    createdAt: now,
    updatedAt: now,
  };
  if ((await putOnce(tables.clients(), record, 'id')) === 'created') return toClient(record);
  const existing = await getClient(record.id);
  const same =
    existing.firstName === details.firstName &&
    existing.lastName === details.lastName &&
    existing.email === details.email;
  if (!same) throw new Conflict(`Client ${record.id} already exists with other details`);
  return existing;
}

export async function approveClient(clientId: string): Promise<void> {
  const { changed } = await transitionStatus({
    table: tables.clients(),
    key: { id: clientId },
    entity: 'Client',
    from: ['PENDING'],
    to: 'APPROVED',
  });
  if (changed) recordBusinessEvent('ClientsRegistered');
}

/** The registration saga's compensation: the record stays, marked REJECTED, so history is kept. */
export async function rejectClient(clientId: string): Promise<void> {
  const { changed } = await transitionStatus({
    table: tables.clients(),
    key: { id: clientId },
    entity: 'Client',
    from: ['PENDING'],
    to: 'REJECTED',
  });
  if (changed) recordBusinessEvent('RegistrationsRejected');
}
