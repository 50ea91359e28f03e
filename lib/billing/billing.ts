import { z } from 'zod';
import { Sum } from '../common/money';
import { Body, Id } from '../common/schemas';

/** What every account-level answer looks like on the wire: the balance in major units. */
export interface AccountBalance {
  clientId: string;
  balance: number;
}

export type MoveType = 'DEPOSIT' | 'WITHDRAWAL';

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
