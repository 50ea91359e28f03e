import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../common/aws';
import { logger, recordBusinessEvent } from '../common/observability';
import { putOnce } from '../common/putOnce';
import { tables } from '../common/config';
import { Conflict, NotFound } from '../common/errors';
import { newId } from '../common/ids';
import { fromMinorUnits, toMinorUnits } from '../common/money';
import { queryAll } from '../common/queryAll';
import { transitionStatus } from '../common/transition';
import { DEFAULT_REJECTION_REASON, type CreateOrderInput, type Order, type OrderStatus } from './order';

/** The stored order: money as an integer number of minor units, never a float. */
interface OrderRecord {
  id: string;
  clientId: string;
  sumMinor: number;
  status: OrderStatus;
  createdAt: string;
  updatedAt: string;
  reason?: string;
}

const orderKey = (orderId: string) => ({ id: orderId });

function toOrder({ id, clientId, sumMinor, status, createdAt, reason }: OrderRecord): Order {
  return {
    id,
    clientId,
    sum: fromMinorUnits(sumMinor),
    status,
    createdAt,
    ...(reason === undefined ? {} : { reason }),
  };
}

export async function findOrder(orderId: string): Promise<Order | undefined> {
  const { Item } = await documentClient.send(new GetCommand({ TableName: tables.orders(), Key: orderKey(orderId) }));
  return Item === undefined ? undefined : toOrder(Item as OrderRecord);
}

export async function getOrder(orderId: string): Promise<Order> {
  const order = await findOrder(orderId);
  if (order === undefined) throw new NotFound('Order not found');
  return order;
}

/** One order of one client: another client's order is as unknown as a missing one, so ids leak nothing. */
export async function getOrderOfClient(orderId: string, clientId: string): Promise<Order> {
  const order = await findOrder(orderId);
  if (order === undefined || order.clientId !== clientId) throw new NotFound('Order not found');
  return order;
}

/**
 * Creates an order in status PENDING. The id is the caller's (the saga assigns one) or derives from the
 * request id, so a repeated request finds its own record (the conditional put fails) and answers with it
 * instead of creating a second order. An id already used for another order is a conflict.
 */
export async function createOrder(input: CreateOrderInput, requestId?: string): Promise<Order> {
  const now = new Date().toISOString();
  const record: OrderRecord = {
    id: input.orderId ?? newId('order', requestId),
    clientId: input.clientId,
    sumMinor: toMinorUnits(input.sum),
    status: 'PENDING',
    createdAt: now,
    updatedAt: now,
  };
  if ((await putOnce(tables.orders(), record, 'id')) === 'created') {
    logger.info('Order created', { orderId: record.id, clientId: record.clientId, sumMinor: record.sumMinor });
    return toOrder(record);
  }
  const existing = await getOrder(record.id);
  if (existing.clientId !== record.clientId || toMinorUnits(existing.sum) !== record.sumMinor) {
    throw new Conflict(`Order ${record.id} already exists with other details`);
  }
  return existing;
}

/** PENDING → CONFIRMED, the last step of the order saga once the payment went through. */
export async function confirmOrder(orderId: string): Promise<void> {
  const { changed } = await transitionStatus({
    table: tables.orders(),
    key: orderKey(orderId),
    entity: 'Order',
    from: ['PENDING'],
    to: 'CONFIRMED',
  });
  if (!changed) return;
  logger.info('Order confirmed', { orderId });
  recordBusinessEvent('OrdersConfirmed');
}

/** PENDING → REJECTED, the order saga's compensation. The record stays, with why it was rejected. */
export async function rejectOrder(orderId: string, reason: string = DEFAULT_REJECTION_REASON): Promise<void> {
  const { changed } = await transitionStatus({
    table: tables.orders(),
    key: orderKey(orderId),
    entity: 'Order',
    from: ['PENDING'],
    to: 'REJECTED',
    set: { reason },
  });
  if (!changed) return;
  logger.info('Order rejected', { orderId, reason });
  recordBusinessEvent('OrdersRejected', { dimensions: { reason } });
}

/** A client's orders, newest first (the byClient index sorts by createdAt). */
export async function listOrdersOfClient(clientId: string): Promise<Order[]> {
  const records = await queryAll<OrderRecord>({
    TableName: tables.orders(),
    IndexName: 'byClient',
    KeyConditionExpression: 'clientId = :clientId',
    ExpressionAttributeValues: { ':clientId': clientId },
    ScanIndexForward: false,
  });
  return records.map(toOrder);
}
