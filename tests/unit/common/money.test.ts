import { MAX_SUM, Sum, toMinorUnits } from '../../../lib/common/money';

describe('Module: money', () => {
  it.each([0.01, 0.1, 0.29, 1, 19.99, 150.5, 1234567.89, MAX_SUM])('accepts %p, an exact number of cents', (sum) => {
    expect(Sum.safeParse(sum).success).toBe(true);
  });

  it('accepts every two-decimal sum up to 2 000, each as its exact number of cents', () => {
    for (let cents = 1; cents <= 200_000; cents++) {
      const sum = Number(`${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`);
      if (!Sum.safeParse(sum).success || toMinorUnits(sum) !== cents) throw new Error(`refused or misread ${sum}`);
    }
  });

  it.each([
    ['below a cent', 1e-9],
    ['five billionths', 5e-9],
    ['a tenth of a cent', 0.001],
    ['half a cent', 0.005],
    ['three decimals', 0.295],
    ['a cent and a hair', 0.0100000001],
    ['a sum and a hair', 100.0000001],
    ['zero', 0],
    ['negative', -1],
    ['above the maximum', MAX_SUM + 0.01],
    ['not a number', Number.NaN],
    ['infinite', Number.POSITIVE_INFINITY],
  ])('refuses a sum %s', (_case, sum) => {
    expect(Sum.safeParse(sum).success).toBe(false);
  });

  it('says what a sum must be', () => {
    const parsed = Sum.safeParse(1e-9);

    expect(parsed.error?.issues.map((issue) => issue.message)).toEqual([
      'must be a whole number of cents, at least 0.01',
    ]);
  });
});
