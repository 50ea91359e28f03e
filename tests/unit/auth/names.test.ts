import { Login, normalizeLogin } from '../../../lib/auth/auth';
import { PersonName } from '../../../lib/common/schemas';

const Name = PersonName(100);

describe('Schema: Login', () => {
  it.each([
    ['a case difference', 'Ivan', 'ivan'],
    ['all capitals', 'IVAN.PETROV', 'ivan.petrov'],
    ['full-width letters (NFKC)', 'ｉｖａｎ', 'ivan'],
    ['full-width capitals', 'ＩＶＡＮ', 'ivan'],
    ['the Kelvin sign', '\u212Aate', 'kate'],
    ['a ligature', 'ﬀion', 'ffion'],
    ['mathematical letters', '𝐢𝐯𝐚𝐧', 'ivan'],
  ])('makes logins that differ only by %s one login', (_case, given, stored) => {
    expect(normalizeLogin(given)).toBe(stored);
    expect(Login.parse(given)).toBe(stored);
  });

  it.each([
    ['a zero-width space', 'iv\u200Ban'],
    ['a control character', 'iv\u0007an'],
    ['a right-to-left override', '\u202Eivan'],
    ['a letter outside the alphabet', 'iván'],
    ['a dotted capital I that folds outside the alphabet', 'İvan'],
    ['a space', 'iv an'],
  ])('refuses a login with %s', (_case, login) => {
    expect(Login.safeParse(login).success).toBe(false);
  });
});

describe('Schema: PersonName', () => {
  it.each(['Ivan', 'Анна', 'Zoë', "O'Brien", 'Jean-Luc', 'Mary Ann', '李'])('accepts %s', (name) => {
    expect(Name.parse(name)).toBe(name);
  });

  it('stores a name in NFC', () => {
    expect(Name.parse('Zoe\u0308')).toBe('Zoë');
  });

  it.each([
    ['a zero-width space', 'Iv\u200Ban'],
    ['a zero-width joiner', 'Iv\u200Dan'],
    ['a byte order mark', 'Iv\uFEFFan'],
    ['a right-to-left override', 'Ivan\u202E'],
    ['a NUL', 'Iv\u0000an'],
    ['a tab', 'Iv\tan'],
    ['a line break', 'Ivan\nPetrov'],
    ['a line separator', 'Ivan\u2028Petrov'],
    ['a no-break space', 'Ivan\u00A0Petrov'],
    ['a soft hyphen', 'Iv\u00ADan'],
    ['a Hangul filler only', '\u3164'],
    ['the braille blank', '\u2800'],
    ['a private-use character', 'Ivan\uE000'],
  ])('refuses a name with %s', (_case, name) => {
    expect(Name.safeParse(name).error?.issues[0]?.message).toBe('must not contain control or invisible characters');
  });
});
