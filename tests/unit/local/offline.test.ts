import { faultEnvironment } from '../../../local/offline';

describe('Function: faultEnvironment', () => {
  it("drops the shell's FAULT_* variables when no faults are asked for: a cloud never runs with faults by accident", () => {
    const env = faultEnvironment({ PATH: '/bin', FAULT_RATE: '0.5', FAULT_KINDS: 'before' }, undefined);

    expect(env).toEqual({ PATH: '/bin' });
  });

  it('passes the faults option as FAULT_* variables, replacing the shell’s', () => {
    const env = faultEnvironment(
      { PATH: '/bin', FAULT_FUNCTIONS: 'clientAdd' },
      { rate: 0.25, kinds: ['after', 'duplicate'], functions: ['billingWithdraw', 'orderCreate'] },
    );

    expect(env).toEqual({
      PATH: '/bin',
      FAULT_RATE: '0.25',
      FAULT_KINDS: 'after,duplicate',
      FAULT_FUNCTIONS: 'billingWithdraw,orderCreate',
    });
    expect(faultEnvironment({}, { rate: 0.1 })).toEqual({ FAULT_RATE: '0.1' });
  });

  it('refuses settings every function would refuse at its cold start', () => {
    expect(() => faultEnvironment({}, { rate: 2 })).toThrow('FAULT_RATE must be a number from 0 to 1');
    expect(() => faultEnvironment({}, { rate: 0.1, kinds: ['crash' as never] })).toThrow('unknown kinds (crash)');
  });
});
