import { FAULT_KINDS, faultConfigFrom } from '../../../../local/faults/settings';

describe('Function: faultConfigFrom', () => {
  it('is off without FAULT_RATE, and with a rate of 0', () => {
    expect(faultConfigFrom({})).toBeUndefined();
    expect(faultConfigFrom({ FAULT_RATE: '' })).toBeUndefined();
    expect(faultConfigFrom({ FAULT_RATE: '0', FAULT_KINDS: 'before' })).toBeUndefined();
  });

  it('reads the rate, the kinds and the functions, with every kind by default', () => {
    expect(faultConfigFrom({ FAULT_RATE: '0.2' })).toEqual({ rate: 0.2, kinds: FAULT_KINDS, functions: [] });
    expect(
      faultConfigFrom({
        FAULT_RATE: '1',
        FAULT_KINDS: 'after, duplicate',
        FAULT_FUNCTIONS: 'billingWithdraw,orderCreate',
      }),
    ).toEqual({ rate: 1, kinds: ['after', 'duplicate'], functions: ['billingWithdraw', 'orderCreate'] });
  });

  it('refuses a rate outside 0..1 and kinds it does not know', () => {
    expect(() => faultConfigFrom({ FAULT_RATE: '1.5' })).toThrow('FAULT_RATE must be a number from 0 to 1');
    expect(() => faultConfigFrom({ FAULT_RATE: 'often' })).toThrow('FAULT_RATE must be a number from 0 to 1');
    expect(() => faultConfigFrom({ FAULT_RATE: '0.1', FAULT_KINDS: 'before,crash' })).toThrow(
      'FAULT_KINDS names unknown kinds (crash)',
    );
  });
});
