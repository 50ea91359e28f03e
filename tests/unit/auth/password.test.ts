import { hashPassword, isPasswordHash, verifyPassword } from '../../../lib/auth/password';

describe('Module: password', () => {
  it('stores scheme, parameters, salt and hash in one string', async () => {
    const stored = await hashPassword('correct horse battery');

    expect(stored).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(stored).not.toContain('correct horse battery');
    expect(isPasswordHash(stored)).toBe(true);
  });

  it('salts every hash differently', async () => {
    const [first, second] = await Promise.all([hashPassword('same password'), hashPassword('same password')]);

    expect(first).not.toBe(second);
  });

  it('verifies the right password and refuses a wrong one', async () => {
    const stored = await hashPassword('correct horse battery');

    await expect(verifyPassword('correct horse battery', stored)).resolves.toBe(true);
    await expect(verifyPassword('correct horse batterY', stored)).resolves.toBe(false);
  });

  it('compares unicode passwords byte for byte, without normalising them', async () => {
    const composed = 'pässwörd-ключ-🔑';
    const decomposed = composed.normalize('NFD');
    const stored = await hashPassword(composed);

    await expect(verifyPassword(composed, stored)).resolves.toBe(true);
    await expect(verifyPassword(decomposed, stored)).resolves.toBe(false);
  });

  it('verifies a hash made with other parameters, as the string describes them', async () => {
    const stored = await hashPassword('an older hash', { N: 2 ** 10, r: 8, p: 1 });

    await expect(verifyPassword('an older hash', stored)).resolves.toBe(true);
  });

  it.each([
    ['an empty string', ''],
    ['another scheme', 'bcrypt$2b$10$abcdefghijklmnopqrstuv'],
    [
      'a cost that is not a power of two',
      'scrypt$1000$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    ],
    ['a cost above the limit', 'scrypt$4194304$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
  ])('never matches %s as a stored hash', async (_case, stored) => {
    expect(isPasswordHash(stored)).toBe(false);
    await expect(verifyPassword('whatever password', stored)).resolves.toBe(false);
  });
});
