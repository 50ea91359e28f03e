import { answersAgree } from '../../../bench/answers';
import type { DataSet } from '../../../bench/invariants';
import type { Acknowledgements } from '../../../bench/load';

/** One client who deposited 100.00 and was told order A was confirmed and order B rejected. */
function data(): DataSet {
  return {
    accounts: [{ clientId: 'c1', balanceMinor: 7_000, version: 2 }],
    ledger: [
      {
        clientId: 'c1',
        sequence: 1,
        id: 'e1',
        type: 'DEPOSIT',
        sumMinor: 10_000,
        balanceAfterMinor: 10_000,
        requestId: 'api:c1:d1',
      },
      {
        clientId: 'c1',
        sequence: 2,
        id: 'e2',
        type: 'WITHDRAWAL',
        sumMinor: 3_000,
        balanceAfterMinor: 7_000,
        requestId: 'x/Withdraw',
      },
    ],
    orders: [
      { id: 'A', clientId: 'c1', sumMinor: 3_000, status: 'CONFIRMED' },
      { id: 'B', clientId: 'c1', sumMinor: 50_000, status: 'REJECTED' },
    ],
    clients: [{ id: 'c1', status: 'APPROVED' }],
    notifications: [],
    executions: [],
  };
}

const told = (): Acknowledgements => ({
  clients: ['c1'],
  deposits: [{ clientId: 'c1', sum: 100, idempotencyKey: 'd1' }],
  orders: [
    { clientId: 'c1', orderId: 'A', sum: 30, status: 'CONFIRMED' },
    { clientId: 'c1', orderId: 'B', sum: 500, status: 'REJECTED' },
  ],
  abandoned: 0,
});

describe('every answer a client got agrees with the data', () => {
  it('holds when the data says what the clients were told, having checked each answer', () => {
    expect(answersAgree(data(), told())).toMatchObject({ holds: true, checked: 4, violations: [] });
  });

  it('catches an acknowledged deposit that is not in the ledger (lost data)', () => {
    const acknowledged = told();
    acknowledged.deposits.push({ clientId: 'c1', sum: 5, idempotencyKey: 'lost' });
    expect(answersAgree(data(), acknowledged)).toMatchObject({
      holds: false,
      violations: ['deposit lost of client c1 was acknowledged, is not in the ledger'],
    });
  });

  it('catches an order whose stored status is not what its client was told', () => {
    const stored = data();
    stored.orders[0]!.status = 'PENDING';
    expect(answersAgree(stored, told()).violations).toEqual(['order A was told CONFIRMED, is PENDING']);
  });

  it('catches a client told "registered" who is not approved', () => {
    const stored = data();
    stored.clients[0]!.status = 'REJECTED';
    expect(answersAgree(stored, told()).violations).toEqual(['client c1 was told "registered", is REJECTED']);
  });

  it('accepts an order told "could not be placed" that is REJECTED or was never written, and nothing else', () => {
    const acknowledged = told();
    acknowledged.orders.push(
      { clientId: 'c1', orderId: 'B', sum: 500, status: 'NOT_PLACED' },
      { clientId: 'c1', orderId: 'never-written', sum: 5, status: 'NOT_PLACED' },
      { clientId: 'c1', orderId: 'A', sum: 30, status: 'NOT_PLACED' },
    );
    expect(answersAgree(data(), acknowledged).violations).toEqual(['order A was told NOT_PLACED, is CONFIRMED']);
  });
});
