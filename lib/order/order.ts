import { z } from 'zod';
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

export const CreateOrderInput = Body({ clientId: Id, sum: Sum });
export type CreateOrderInput = z.infer<typeof CreateOrderInput>;

export const OrderRef = Body({ orderId: Id });
export type OrderRef = z.infer<typeof OrderRef>;

export const RejectOrderInput = Body({ orderId: Id, reason: NonEmptyText(100).optional() });
export type RejectOrderInput = z.infer<typeof RejectOrderInput>;
