import { type z } from 'zod';
import { AddClientInput } from '../client/client';
import { Sum } from '../common/money';
import { Body, Id, NonEmptyText, PersonName } from '../common/schemas';

export type NotificationType = 'newClientCreated' | 'newOrderCreated';

/** A notification as the API shows it. Notifications are stored for the client to read, not mailed. */
export interface Notification<Data = unknown> {
  id: string;
  type: NotificationType;
  clientId: string;
  data: Data;
  createdAt: string;
}

export const NewClientCreatedInput = Body({
  clientId: Id,
  firstName: PersonName(100),
  lastName: PersonName(100),
  // The same rule the Client service applied when the address was given.
  email: AddClientInput.shape.email,
  login: NonEmptyText(64),
});
export type NewClientCreatedInput = z.infer<typeof NewClientCreatedInput>;

export const NewOrderCreatedInput = Body({ clientId: Id, orderId: Id, sum: Sum });
export type NewOrderCreatedInput = z.infer<typeof NewOrderCreatedInput>;

export interface NewOrderCreatedData {
  orderId: string;
  sum: number;
  client: { firstName: string; lastName: string; email: string };
}

export const ClientRef = Body({ clientId: Id });
export type ClientRef = z.infer<typeof ClientRef>;
