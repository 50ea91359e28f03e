import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Client } from '../client/client';
import { documentClient } from '../common/aws';
import { putOnce } from '../common/putOnce';
import { requireEnv, tables } from '../common/config';
import { NotFound } from '../common/errors';
import { newId } from '../common/ids';
import { invokeService } from '../common/invoke';
import { fromMinorUnits, toMinorUnits } from '../common/money';
import { queryAll } from '../common/queryAll';
import type {
  NewClientCreatedInput,
  NewOrderCreatedData,
  NewOrderCreatedInput,
  Notification,
  NotificationType,
} from './notification';

/** Every item carries the same `feed`, so the byTime index holds all notifications in time order. */
const FEED = 'ALL';

/** What is stored: in a newOrderCreated notification's data the sum is in minor units, like all money at rest. */
interface NotificationRecord {
  id: string;
  type: NotificationType;
  clientId: string;
  data: Record<string, unknown>;
  createdAt: string;
  feed: typeof FEED;
}

type StoredOrderData = Omit<NewOrderCreatedData, 'sum'> & { sumMinor: number };

const clientGetFunction = () => requireEnv('CLIENT_GET_FUNCTION');

function toNotification({ id, type, clientId, data, createdAt }: NotificationRecord): Notification {
  if (type === 'newOrderCreated') {
    const { orderId, sumMinor, client } = data as StoredOrderData;
    return { id, type, clientId, data: { orderId, sum: fromMinorUnits(sumMinor), client }, createdAt };
  }
  return { id, type, clientId, data, createdAt };
}

async function getNotification(id: string): Promise<Notification> {
  const { Item } = await documentClient.send(new GetCommand({ TableName: tables.notifications(), Key: { id } }));
  if (Item === undefined) throw new NotFound('Notification not found');
  return toNotification(Item as NotificationRecord);
}

/**
 * Stores one notification. The id derives from the request id (and the type), so a repeated request finds its own
 * record (the conditional put fails) and answers with it instead of storing a second one.
 */
async function storeNotification(
  type: NotificationType,
  clientId: string,
  data: Record<string, unknown>,
  requestId?: string,
): Promise<Notification> {
  const record: NotificationRecord = {
    // One id space per type: a request id reused across types can never fetch the other type's record.
    id: newId(`notification:${type}`, requestId),
    type,
    clientId,
    data,
    createdAt: new Date().toISOString(),
    feed: FEED,
  };
  if ((await putOnce(tables.notifications(), record, 'id')) === 'created') return toNotification(record);
  return getNotification(record.id);
}

/** A welcome for a newly registered client (the registration saga's last step). */
export function notifyNewClientCreated(input: NewClientCreatedInput, requestId?: string): Promise<Notification> {
  return storeNotification('newClientCreated', input.clientId, input, requestId);
}

/**
 * Tells a client about a new order. Who the client is (name, address) is the Client service's to say: it
 * is asked through a Lambda call, never through its table. Its NotFound comes back typed and is final.
 */
export async function notifyNewOrderCreated(input: NewOrderCreatedInput, requestId?: string): Promise<Notification> {
  const client = await invokeService<Client>(
    clientGetFunction(),
    { clientId: input.clientId },
    requestId === undefined ? {} : { requestId: newId('clientGet', requestId) },
  );
  const data: StoredOrderData = {
    orderId: input.orderId,
    sumMinor: toMinorUnits(input.sum),
    client: { firstName: client.firstName, lastName: client.lastName, email: client.email },
  };
  return storeNotification('newOrderCreated', input.clientId, data, requestId);
}

/** The newest notification of all, or 404 when there is none yet. */
export async function lastNotification(): Promise<Notification> {
  const { Items } = await documentClient.send(
    new QueryCommand({
      TableName: tables.notifications(),
      IndexName: 'byTime',
      KeyConditionExpression: 'feed = :feed',
      ExpressionAttributeValues: { ':feed': FEED },
      ScanIndexForward: false,
      Limit: 1,
    }),
  );
  const newest = Items?.[0];
  if (newest === undefined) throw new NotFound('No notification yet');
  return toNotification(newest as NotificationRecord);
}

/** A client's notifications, newest first (the byClient index sorts by createdAt). */
export async function listNotificationsOfClient(clientId: string): Promise<Notification[]> {
  const records = await queryAll<NotificationRecord>({
    TableName: tables.notifications(),
    IndexName: 'byClient',
    KeyConditionExpression: 'clientId = :clientId',
    ExpressionAttributeValues: { ':clientId': clientId },
    ScanIndexForward: false,
  });
  return records.map(toNotification);
}
