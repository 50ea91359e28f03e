import { ownDepositRequestId } from '../lib/billing/billing';
import { MAX_EXAMPLES, type DataSet, type InvariantResult } from './invariants';
import type { Acknowledgements } from './load';

export const ANSWERS_AGREE = 'every answer a client got agrees with the data';

/**
 * What the load's clients were told, checked against the data: a client told "registered" is APPROVED, an
 * acknowledged deposit is in its ledger (under the request id the API gave it, `ownDepositRequestId`), an
 * order told CONFIRMED or REJECTED is stored so, one told NOT_PLACED is REJECTED or absent. Nothing acknowledged was lost; nothing said was untrue.
 */
export function answersAgree(data: DataSet, acknowledged: Acknowledgements): InvariantResult {
  const violations: string[] = [];
  const clientStatus = new Map(data.clients.map((client) => [client.id, client.status]));
  for (const clientId of acknowledged.clients) {
    const status = clientStatus.get(clientId);
    if (status !== 'APPROVED') violations.push(`client ${clientId} was told "registered", is ${status ?? 'missing'}`);
  }
  const deposits = new Set(data.ledger.filter((entry) => entry.type === 'DEPOSIT').map((entry) => entry.requestId));
  for (const deposit of acknowledged.deposits) {
    if (!deposits.has(ownDepositRequestId(deposit.clientId, deposit.idempotencyKey))) {
      violations.push(
        `deposit ${deposit.idempotencyKey} of client ${deposit.clientId} was acknowledged, is not in the ledger`,
      );
    }
  }
  const orderStatus = new Map(data.orders.map((order) => [order.id, order.status]));
  for (const order of acknowledged.orders) {
    const status = orderStatus.get(order.orderId);
    // "Could not be placed" (422): the compensation rejected the order, or there was none to reject.
    const agrees =
      order.status === 'NOT_PLACED' ? status === undefined || status === 'REJECTED' : status === order.status;
    if (!agrees) violations.push(`order ${order.orderId} was told ${order.status}, is ${status ?? 'missing'}`);
  }
  return {
    name: ANSWERS_AGREE,
    holds: violations.length === 0,
    checked: acknowledged.clients.length + acknowledged.deposits.length + acknowledged.orders.length,
    violations: violations.slice(0, MAX_EXAMPLES),
    violationCount: violations.length,
  };
}
