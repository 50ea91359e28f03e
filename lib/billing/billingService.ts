import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { documentClient } from '../common/aws';
import { tables } from '../common/config';
import { AlreadyExists, NotFound } from '../common/errors';
import { fromMinorUnits } from '../common/money';
import { queryAll } from '../common/queryAll';
import type { Caller } from '../common/serviceEvent';
import { ownDepositRequestId, type AccountBalance, type TransactionList } from './billing';
import { billingItemOf, billingKey, type AccountRecord, type LedgerEntryRecord } from './billingTable';
import { moveMoney, readAccountState, requestIdOrNew } from './moneyMoves';

/**
 * Opens a client's account with a zero balance. A client has one account: a second one is AlreadyExists,
 * unless it is the repeat of the request that created it, which answers as that request did.
 */
export async function createAccount(clientId: string, requestId?: string): Promise<AccountBalance> {
  const now = new Date().toISOString();
  const account: AccountRecord = {
    ...billingKey({ kind: 'account', clientId }),
    clientId,
    balanceMinor: 0,
    version: 0,
    createdAt: now,
    updatedAt: now,
    ...(requestId === undefined ? {} : { createdByRequestId: requestIdOrNew(requestId) }),
  };
  try {
    await documentClient.send(
      new PutCommand({
        TableName: tables.billing(),
        Item: account,
        ConditionExpression: 'attribute_not_exists(pk)',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    // The document client does not unmarshall an error's item.
    const creator = error.Item === undefined ? undefined : unmarshall(error.Item)['createdByRequestId'];
    if (requestId === undefined || creator !== requestId) {
      throw new AlreadyExists(`Client ${clientId} already has an account`, { cause: error });
    }
  }
  return { clientId, balance: 0 };
}

export async function deposit(clientId: string, sumMinor: number, requestId?: string): Promise<AccountBalance> {
  return moveMoney({ clientId, type: 'DEPOSIT', sumMinor, requestId: requestIdOrNew(requestId) });
}

/** The public top-up: the signed-in client's own account, never one a body names, under a key scoped to them. */
export async function depositToOwnAccount(
  caller: Caller,
  sumMinor: number,
  requestId?: string,
): Promise<AccountBalance> {
  return deposit(
    caller.clientId,
    sumMinor,
    requestId === undefined ? undefined : ownDepositRequestId(caller.clientId, requestId),
  );
}

/** Refused with InsufficientFunds when the balance does not cover the sum; nothing is written then. */
export async function withdraw(clientId: string, sumMinor: number, requestId?: string): Promise<AccountBalance> {
  return moveMoney({ clientId, type: 'WITHDRAWAL', sumMinor, requestId: requestIdOrNew(requestId) });
}

export async function getAccount(clientId: string): Promise<AccountBalance> {
  const account = await readAccountState(clientId);
  if (account === undefined) throw new NotFound('Account not found');
  return { clientId, balance: fromMinorUnits(account.balanceMinor) };
}

/** The ledger, oldest entry first. The account item shares the partition, so one query proves it exists. */
export async function listTransactions(clientId: string): Promise<TransactionList> {
  const items = await queryAll<AccountRecord | LedgerEntryRecord>({
    TableName: tables.billing(),
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': billingKey({ kind: 'account', clientId }).pk },
    ConsistentRead: true,
  });

  if (!items.some((item) => item.sk === billingKey({ kind: 'account', clientId }).sk)) {
    throw new NotFound('Account not found');
  }
  const entries = items.filter((item): item is LedgerEntryRecord => billingItemOf(item)?.kind === 'entry');
  return {
    clientId,
    transactions: entries.map(({ id, type, sumMinor, balanceAfterMinor, createdAt }) => ({
      id,
      type,
      sum: fromMinorUnits(sumMinor),
      balanceAfter: fromMinorUnits(balanceAfterMinor),
      createdAt,
    })),
  };
}
