import * as z from 'zod';
import { Body, Id, PersonName, typeError } from '../common/schemas';

export type ClientStatus = 'PENDING' | 'APPROVED' | 'REJECTED';

export interface Client {
  id: string;
  firstName: string;
  lastName: string;
  email: string;
  status: ClientStatus;
}

export const Email = z
  .string({ error: typeError('a string') })
  .trim()
  .max(254, 'must be at most 254 characters')
  .pipe(z.email('must be a valid email address'));

/** `clientId` is optional: the registration saga assigns it up front so every step, and the compensation, knows it. */
export const AddClientInput = Body({
  clientId: Id.optional(),
  firstName: PersonName(100),
  lastName: PersonName(100),
  email: Email,
});
export type AddClientInput = z.infer<typeof AddClientInput>;

export const ClientRef = Body({ clientId: Id });
export type ClientRef = z.infer<typeof ClientRef>;
