import { BUSINESS_ERROR_NAMES, domainErrorFromName, httpStatusOf } from '../../../lib/common/errors';

describe('Business errors (lib/common/businessErrors.json)', () => {
  it.each([...BUSINESS_ERROR_NAMES])('names %s, a final error a service throws by that name', (name) => {
    const error = domainErrorFromName(name, 'refused');

    expect(error?.name).toBe(name);
    expect(error?.transient).toBe(false);
    expect(httpStatusOf(error)).toBeLessThan(500);
  });

  it('lists each name once', () => {
    expect(new Set(BUSINESS_ERROR_NAMES).size).toBe(BUSINESS_ERROR_NAMES.length);
  });
});
