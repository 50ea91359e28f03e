import type { MoveType } from './billing';

/**
 * BillingTable holds three kinds of items. An account and its ledger share a partition, so one query
 * reads both; the ledger's sort key is the entry's sequence number on the account, which is what makes
 * the ledger read top to bottom (timestamps from different containers could disagree):
 *
 *   account          pk = ACCOUNT#<clientId>   sk = ACCOUNT
 *   ledger entry     pk = ACCOUNT#<clientId>   sk = TX#<sequence, 12 digits>
 *   request marker   pk = REQUEST#<requestId>  sk = REQUEST
 */
export type BillingItemRef =
  | { kind: 'account'; clientId: string }
  | { kind: 'entry'; clientId: string; sequence: number }
  | { kind: 'request'; requestId: string };

export interface BillingKey {
  pk: string;
  sk: string;
}

export const LEDGER_PREFIX = 'TX#';

export function billingKey(ref: BillingItemRef): BillingKey {
  switch (ref.kind) {
    case 'account':
      return { pk: `ACCOUNT#${ref.clientId}`, sk: 'ACCOUNT' };
    case 'entry':
      return { pk: `ACCOUNT#${ref.clientId}`, sk: `${LEDGER_PREFIX}${String(ref.sequence).padStart(12, '0')}` };
    case 'request':
      return { pk: `REQUEST#${ref.requestId}`, sk: 'REQUEST' };
  }
}

/** Money is stored in minor units (cents), and the attribute names say so. */
export interface AccountRecord extends BillingKey {
  clientId: string;
  balanceMinor: number;
  /** How many ledger entries the account has: the optimistic lock every money move is conditioned on. */
  version: number;
  createdAt: string;
  updatedAt: string;
  /** The request that created the account, so its repeat can be told from a second account. */
  createdByRequestId?: string;
}

export interface LedgerEntryRecord extends BillingKey {
  id: string;
  type: MoveType;
  sumMinor: number;
  balanceAfterMinor: number;
  createdAt: string;
  requestId: string;
}

/** Proof that a request id has moved money, with what it moved and the answer it gave. */
export interface RequestMarkerRecord extends BillingKey {
  requestId: string;
  clientId: string;
  type: MoveType;
  sumMinor: number;
  balanceAfterMinor: number;
  entryId: string;
  createdAt: string;
}
