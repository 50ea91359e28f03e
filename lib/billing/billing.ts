import { type z } from 'zod';
import { Sum } from '../common/money';
import { Body, Id } from '../common/schemas';

/** What every account-level answer looks like on the wire: the balance in major units. */
export interface AccountBalance {
  clientId: string;
  balance: number;
}

export type MoveType = 'DEPOSIT' | 'WITHDRAWAL';

/**
 * The request id of a public top-up (`POST /api/billing/deposit`), which its ledger entry keeps: the caller's
 * Idempotency-Key scoped to them, so one client's key can never collide with another's (nor with a saga step's
 * request id). bench/answers.ts finds the deposits a client was told of by it.
 */
export const ownDepositRequestId = (clientId: string, idempotencyKey: string) => `api:${clientId}:${idempotencyKey}`;

export interface Transaction {
  id: string;
  type: MoveType;
  sum: number;
  balanceAfter: number;
  createdAt: string;
}

export interface TransactionList {
  clientId: string;
  transactions: Transaction[];
}

/** createAccount, get and transactions: the account is named by its client. */
export const AccountRef = Body({ clientId: Id });
export type AccountRef = z.infer<typeof AccountRef>;

/** deposit and withdraw on the dev ingress (and for Step Functions Tasks). */
export const MoneyMoveInput = Body({ clientId: Id, sum: Sum });
export type MoneyMoveInput = z.infer<typeof MoneyMoveInput>;

/** The public top-up: the account is the caller's, so the body names only the sum. */
export const OwnDepositInput = Body({ sum: Sum });
export type OwnDepositInput = z.infer<typeof OwnDepositInput>;
