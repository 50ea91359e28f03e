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

const ACCOUNT_PREFIX = 'ACCOUNT#';
const ACCOUNT_SORT_KEY = 'ACCOUNT';
const LEDGER_PREFIX = 'TX#';
const REQUEST_PREFIX = 'REQUEST#';
const REQUEST_SORT_KEY = 'REQUEST';

export function billingKey(ref: BillingItemRef): BillingKey {
  switch (ref.kind) {
    case 'account':
      return { pk: `${ACCOUNT_PREFIX}${ref.clientId}`, sk: ACCOUNT_SORT_KEY };
    case 'entry':
      return {
        pk: `${ACCOUNT_PREFIX}${ref.clientId}`,
        sk: `${LEDGER_PREFIX}${String(ref.sequence).padStart(12, '0')}`,
      };
    case 'request':
      return { pk: `${REQUEST_PREFIX}${ref.requestId}`, sk: REQUEST_SORT_KEY };
  }
}

/** What an item of the table is, read back from its key (the inverse of billingKey), or undefined for no item of ours. */
export function billingItemOf(key: BillingKey): BillingItemRef | undefined {
  if (key.pk.startsWith(ACCOUNT_PREFIX)) {
    const clientId = key.pk.slice(ACCOUNT_PREFIX.length);
    if (key.sk === ACCOUNT_SORT_KEY) return { kind: 'account', clientId };
    if (key.sk.startsWith(LEDGER_PREFIX)) {
      return { kind: 'entry', clientId, sequence: Number(key.sk.slice(LEDGER_PREFIX.length)) };
    }
  }
  if (key.pk.startsWith(REQUEST_PREFIX) && key.sk === REQUEST_SORT_KEY) {
    return { kind: 'request', requestId: key.pk.slice(REQUEST_PREFIX.length) };
  }
  return undefined;
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
