import { type z } from 'zod';
import { Sum } from '../common/money';
import { Body, Id, NonEmptyText } from '../common/schemas';

export type OrderStatus = 'PENDING' | 'CONFIRMED' | 'REJECTED';

/** An order as the API shows it: the sum in major units, a rejection's reason when there is one. */
export interface Order {
  id: string;
  clientId: string;
  sum: number;
  status: OrderStatus;
  createdAt: string;
  reason?: string;
}

export const DEFAULT_REJECTION_REASON = 'REJECTED';

/** `orderId` is optional: the order saga assigns it up front so that every step, and the compensation, knows it. */
export const CreateOrderInput = Body({ orderId: Id.optional(), clientId: Id, sum: Sum });
export type CreateOrderInput = z.infer<typeof CreateOrderInput>;

export const OrderRef = Body({ orderId: Id });
export type OrderRef = z.infer<typeof OrderRef>;

export const RejectOrderInput = Body({ orderId: Id, reason: NonEmptyText(100).optional() });
export type RejectOrderInput = z.infer<typeof RejectOrderInput>;
