import { billingItemOf, billingKey, type BillingItemRef } from '../../../lib/billing/billingTable';

describe('Billing table keys (lib/billing/billingTable.ts)', () => {
  it.each<BillingItemRef>([
    { kind: 'account', clientId: 'c-1' },
    { kind: 'entry', clientId: 'c-1', sequence: 42 },
    { kind: 'request', requestId: 'api:c-1:key#1' },
  ])('reads back the $kind its key was built for', (ref) => {
    expect(billingItemOf(billingKey(ref))).toEqual(ref);
  });

  it('orders ledger entries by sequence in their sort keys', () => {
    const sk = (sequence: number) => billingKey({ kind: 'entry', clientId: 'c-1', sequence }).sk;

    expect([sk(10), sk(9), sk(100)].sort()).toEqual([sk(9), sk(10), sk(100)]);
  });

  it('knows no item whose key is not of the table', () => {
    expect(billingItemOf({ pk: 'ORDER#o-1', sk: 'ACCOUNT' })).toBeUndefined();
    expect(billingItemOf({ pk: 'ACCOUNT#c-1', sk: 'REQUEST' })).toBeUndefined();
  });
});
