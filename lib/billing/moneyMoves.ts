import { logger, MetricUnit, recordBusinessEvent } from '../common/observability';
import { randomUUID } from 'node:crypto';
import { TransactionCanceledException, type AttributeValue, type CancellationReason } from '@aws-sdk/client-dynamodb';
import { GetCommand, TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { documentClient } from '../common/aws';
import { tables } from '../common/config';
import { Conflict, InsufficientFunds, NotFound, TooManyRequests, ValidationError } from '../common/errors';
import { newId } from '../common/ids';
import { fromMinorUnits, MAX_SUM, toMinorUnits } from '../common/money';
import { backoffDelay, type RetryPolicy } from '../common/retry';
import type { AccountBalance, MoveType } from './billing';
import { billingKey, type AccountRecord, type LedgerEntryRecord, type RequestMarkerRecord } from './billingTable';

/** A balance stays far below 2^53 minor units, so it is always an exact JS number. */
export const MAX_BALANCE_MINOR = toMinorUnits(MAX_SUM) * 100;
/**
 * Request ids become keys; DynamoDB caps a partition key at 2048 bytes, we stay well below. A caller's key
 * is limited at the HTTP edge (MAX_IDEMPOTENCY_KEY_CHARS, 256); this bound leaves room for the scope a
 * service puts in front of it (`ownDepositRequestId`'s `api:<clientId>:`), which must never count against
 * the caller's limit.
 */
export const MAX_REQUEST_ID_LENGTH = 512;

/**
 * Concurrent moves on one account take turns: each attempt is conditioned on the version it saw, and
 * the loser tries again with the version the winner left. The budget covers dozens of simultaneous
 * moves on one account; beyond that the caller is told to come back (429, transient).
 */
export const CONTENTION_RETRY: RetryPolicy = { attempts: 40, baseDelayMs: 5, maxDelayMs: 100 };

export interface MoneyMove {
  clientId: string;
  type: MoveType;
  sumMinor: number;
  requestId: string;
}

/** The part of the account a move is conditioned on. */
export interface AccountState {
  balanceMinor: number;
  version: number;
}

/** Positions of the items in the transaction, which are also the positions of their cancellation reasons. */
const ACCOUNT = 0;
const ENTRY = 1;
const MARKER = 2;

/**
 * One TransactWriteItems moves the money, writes the ledger entry and records the request, or does none
 * of it: (0) the account update, conditioned on the version seen (and, for a withdrawal, on the balance
 * covering the sum, so it can never go below zero); (1) the ledger entry; (2) the request marker, which
 * only a first request can put, and which stores the answer for any repeat.
 */
export function buildMoveTransaction(move: MoneyMove, seen: AccountState, now: string): TransactWriteCommandInput {
  const table = tables.billing();
  const delta = move.type === 'DEPOSIT' ? move.sumMinor : -move.sumMinor;
  const balanceAfterMinor = seen.balanceMinor + delta;
  const sequence = seen.version + 1;
  const entryId = newId('ledger-entry', move.requestId);
  const guard =
    move.type === 'WITHDRAWAL'
      ? { expression: 'balanceMinor >= :sum', values: { ':sum': move.sumMinor } }
      : { expression: 'balanceMinor <= :ceiling', values: { ':ceiling': MAX_BALANCE_MINOR - move.sumMinor } };
  const entry: LedgerEntryRecord = {
    ...billingKey({ kind: 'entry', clientId: move.clientId, sequence }),
    id: entryId,
    type: move.type,
    sumMinor: move.sumMinor,
    balanceAfterMinor,
    createdAt: now,
    requestId: move.requestId,
  };
  const marker: RequestMarkerRecord = {
    ...billingKey({ kind: 'request', requestId: move.requestId }),
    requestId: move.requestId,
    clientId: move.clientId,
    type: move.type,
    sumMinor: move.sumMinor,
    balanceAfterMinor,
    entryId,
    createdAt: now,
  };
  return {
    TransactItems: [
      {
        Update: {
          TableName: table,
          Key: billingKey({ kind: 'account', clientId: move.clientId }),
          UpdateExpression: 'SET balanceMinor = balanceMinor + :delta, #version = :next, updatedAt = :now',
          // A missing account fails `#version = :version` too: the cancellation tells the two apart.
          ConditionExpression: `#version = :version AND ${guard.expression}`,
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: {
            ':delta': delta,
            ':version': seen.version,
            ':next': sequence,
            ':now': now,
            ...guard.values,
          },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
      { Put: { TableName: table, Item: entry, ConditionExpression: 'attribute_not_exists(pk)' } },
      {
        Put: {
          TableName: table,
          Item: marker,
          ConditionExpression: 'attribute_not_exists(pk)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
    ],
  };
}

/** Why a move's transaction was cancelled, read from its CancellationReasons. */
export type Cancellation =
  /** The request id has already moved money: answer from its marker (read it if the reason has no item). */
  | { kind: 'repeat'; marker?: RequestMarkerRecord }
  /** The account condition failed: the account is gone, changed since we read it, or cannot cover the move. */
  | { kind: 'account'; account?: AccountState; missing: boolean }
  /** Another transaction held an item, or DynamoDB throttled: try again after a pause. */
  | { kind: 'contention' };

const failed = (reason: CancellationReason | undefined) => reason?.Code === 'ConditionalCheckFailed';

export function readCancellation(reasons: CancellationReason[]): Cancellation {
  const marker = reasons[MARKER];
  if (failed(marker)) {
    const parsed = marker?.Item === undefined ? undefined : markerFromRaw(marker.Item);
    return parsed === undefined ? { kind: 'repeat' } : { kind: 'repeat', marker: parsed };
  }
  const account = reasons[ACCOUNT];
  if (failed(account)) {
    const state = account?.Item === undefined ? undefined : accountStateFromRaw(account.Item);
    // With ALL_OLD, a condition that failed on an existing item returns it; no item means no account,
    // unless the store does not return items at all, which the caller settles by reading.
    return state === undefined
      ? { kind: 'account', missing: true }
      : { kind: 'account', account: state, missing: false };
  }
  // The entry's condition can only fail if its sequence was taken, i.e. the account moved on: read again.
  if (failed(reasons[ENTRY])) return { kind: 'account', missing: false };
  return { kind: 'contention' };
}

/**
 * Items inside a TransactionCanceledException's CancellationReasons come in the raw attribute-value format:
 * the document client does not unmarshall errors.
 */
type RawItem = Record<string, AttributeValue>;

function accountStateFromRaw(item: RawItem): AccountState | undefined {
  const { balanceMinor, version } = unmarshall(item);
  return typeof balanceMinor === 'number' && typeof version === 'number' ? { balanceMinor, version } : undefined;
}

const MARKER_TEXTS = ['pk', 'sk', 'requestId', 'clientId', 'type', 'entryId', 'createdAt'] as const;
const MARKER_NUMBERS = ['sumMinor', 'balanceAfterMinor'] as const;

/** The marker's fields, or nothing if any is missing: a partial item cannot answer for the request. */
function markerFromRaw(item: RawItem): RequestMarkerRecord | undefined {
  const all = unmarshall(item);
  const fields = Object.fromEntries([...MARKER_TEXTS, ...MARKER_NUMBERS].map((name) => [name, all[name]]));
  const complete =
    MARKER_TEXTS.every((name) => typeof fields[name] === 'string') &&
    MARKER_NUMBERS.every((name) => typeof fields[name] === 'number');
  return complete ? (fields as unknown as RequestMarkerRecord) : undefined;
}

export async function readAccountState(clientId: string): Promise<AccountState | undefined> {
  const { Item } = await documentClient.send(
    new GetCommand({
      TableName: tables.billing(),
      Key: billingKey({ kind: 'account', clientId }),
      ConsistentRead: true,
    }),
  );
  if (Item === undefined) return undefined;
  const { balanceMinor, version } = Item as AccountRecord;
  return { balanceMinor, version };
}

async function readMarker(requestId: string): Promise<RequestMarkerRecord | undefined> {
  const { Item } = await documentClient.send(
    new GetCommand({
      TableName: tables.billing(),
      Key: billingKey({ kind: 'request', requestId }),
      ConsistentRead: true,
    }),
  );
  return Item as RequestMarkerRecord | undefined;
}

const describeMove = (move: { type: MoveType; clientId: string; sumMinor: number }) =>
  `${move.type === 'DEPOSIT' ? 'deposit' : 'withdrawal'} of ${fromMinorUnits(move.sumMinor)} on ${move.clientId}`;

/**
 * A repeat answers as the first request did, but only if it asks for the same move: a request id reused
 * for another client, sum or direction is the caller's bug, and answering it would report money that did
 * not move as asked. That is a Conflict (409).
 */
export function answerFromMarker(marker: RequestMarkerRecord, move: MoneyMove): AccountBalance {
  if (marker.clientId !== move.clientId || marker.type !== move.type || marker.sumMinor !== move.sumMinor) {
    throw new Conflict(
      `Request id ${move.requestId} was already used for a ${describeMove(marker)}; it cannot be reused for a ${describeMove(move)}`,
    );
  }
  return { clientId: marker.clientId, balance: fromMinorUnits(marker.balanceAfterMinor) };
}

/** Whether the account's balance allows the move: the same test as the transaction's guard. */
function allows(move: MoneyMove, account: AccountState): boolean {
  return move.type === 'WITHDRAWAL'
    ? account.balanceMinor >= move.sumMinor
    : account.balanceMinor <= MAX_BALANCE_MINOR - move.sumMinor;
}

function refuse(move: MoneyMove, account: AccountState): never {
  if (move.type === 'WITHDRAWAL') {
    throw new InsufficientFunds(
      `Insufficient funds: the balance is ${fromMinorUnits(account.balanceMinor)}, the withdrawal ${fromMinorUnits(move.sumMinor)}`,
    );
  }
  throw new Conflict(`The deposit would take the balance above the maximum of ${fromMinorUnits(MAX_BALANCE_MINOR)}`);
}

const pause = (attempt: number) =>
  new Promise((resolve) => setTimeout(resolve, backoffDelay(attempt, CONTENTION_RETRY)));

const accountNotFound = () => new NotFound('Account not found');

/** A request id for a call that brought none: such a call is simply not deduplicated. */
export function requestIdOrNew(requestId: string | undefined): string {
  if (requestId === undefined) return randomUUID();
  if (requestId.length > MAX_REQUEST_ID_LENGTH) {
    throw new ValidationError(`The request id must be at most ${MAX_REQUEST_ID_LENGTH} characters`);
  }
  return requestId;
}

/**
 * Moves money exactly once per request id. Never read-then-write: the read only tells the transaction
 * which version to condition on; whoever commits first wins and everybody else retries on fresh state.
 */
export async function moveMoney(move: MoneyMove): Promise<AccountBalance> {
  let seen = await readAccountState(move.clientId);
  if (seen === undefined) throw accountNotFound();
  for (let attempt = 1; attempt <= CONTENTION_RETRY.attempts; attempt++) {
    const transaction = buildMoveTransaction(move, seen, new Date().toISOString());
    try {
      await documentClient.send(new TransactWriteCommand(transaction));
      logger.info('Money moved', { clientId: move.clientId, type: move.type, sumMinor: move.sumMinor });
      recordBusinessEvent(move.type === 'DEPOSIT' ? 'MoneyDeposited' : 'MoneyWithdrawn', {
        value: fromMinorUnits(move.sumMinor),
        unit: MetricUnit.NoUnit,
      });
      const delta = move.type === 'DEPOSIT' ? move.sumMinor : -move.sumMinor;
      return { clientId: move.clientId, balance: fromMinorUnits(seen.balanceMinor + delta) };
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const cancellation = readCancellation(error.CancellationReasons ?? []);
      if (cancellation.kind === 'repeat') {
        const marker = cancellation.marker ?? (await readMarker(move.requestId));
        if (marker !== undefined) return answerFromMarker(marker, move);
        continue; // the marker's writer had not committed yet when we read: try again
      }
      if (cancellation.kind === 'contention') {
        await pause(attempt);
        seen = (await readAccountState(move.clientId)) ?? seen;
        continue;
      }
      const current = cancellation.account ?? (await readAccountState(move.clientId));
      if (current === undefined) throw accountNotFound();
      if (current.version === seen.version && !allows(move, current)) refuse(move, current);
      seen = current;
      await pause(attempt);
    }
  }
  throw new TooManyRequests('The account is busy with other payments; try again shortly');
}
