import * as z from 'zod';
import { Body, Id, typeError } from '../common/schemas';
import { isPasswordHash } from './password';

/**
 * A login as it is compared and stored: Unicode NFKC (compatibility forms, such as full-width letters or
 * the Kelvin sign, become their plain letters) and then case-folded, so `Ivan`, `ivan` and `ｉｖａｎ` are one
 * login. Applied before the uniqueness check (the login is the users table's key) and at login alike.
 */
export function normalizeLogin(login: string): string {
  return login.normalize('NFKC').toLowerCase().normalize('NFKC');
}

/**
 * Logins are keys and appear in logs: after normalisation, a short, boring alphabet nobody has to escape
 * (so no control or invisible character can be part of one).
 */
export const Login = z
  .string({ error: typeError('a string') })
  .transform(normalizeLogin)
  .pipe(
    z
      .string()
      .min(3, 'must be at least 3 characters')
      .max(64, 'must be at most 64 characters')
      .regex(/^[a-z0-9._-]+$/, 'must contain only letters, digits, ".", "_" and "-"'),
  );

export const PASSWORD_MIN_CHARS = 8;
export const PASSWORD_MAX_CHARS = 1024;

/**
 * Any unicode is allowed and compared byte for byte (UTF-8, no normalisation). Length is counted in code
 * points, so an emoji is one character; the upper bound keeps scrypt's input, and the body, small.
 */
export const Password = z
  .string({ error: typeError('a string') })
  .refine((value) => [...value].length >= PASSWORD_MIN_CHARS, `must be at least ${PASSWORD_MIN_CHARS} characters`)
  .refine((value) => [...value].length <= PASSWORD_MAX_CHARS, `must be at most ${PASSWORD_MAX_CHARS} characters`);

/** A hash made by `hashPassword`: what the registration saga carries instead of the password itself. */
export const PasswordHash = z
  .string({ error: typeError('a string') })
  .max(512, 'must be at most 512 characters')
  .refine(isPasswordHash, 'must be a password hash made by hashPassword');

/**
 * A password (the dev API) or a password hash (the registration saga, so that no password is ever in an
 * execution's input or history): exactly one of the two.
 */
export const RegisterInput = Body({
  login: Login,
  clientId: Id,
  password: Password.optional(),
  passwordHash: PasswordHash.optional(),
}).refine((input) => (input.password === undefined) !== (input.passwordHash === undefined), {
  message: 'give either a password or a passwordHash',
});
export type RegisterInput = z.infer<typeof RegisterInput>;

/**
 * Login checks only shapes: a login of the wrong form cannot exist (and the form is public), and a
 * too-short password is just a wrong one, answered like any other.
 */
export const LoginInput = Body({
  login: Login,
  password: z.string({ error: typeError('a string') }).max(4 * PASSWORD_MAX_CHARS, 'is too long'),
});
export type LoginInput = z.infer<typeof LoginInput>;

export interface User {
  userId: string;
  login: string;
  clientId: string;
}

/** Who a valid session belongs to: what the authorizer hands to every protected handler. */
export interface Session extends User {
  /** SHA-256 of the cookie value: the value itself is never stored. */
  id: string;
  createdAt: string;
  /** Epoch seconds; also the table's TTL attribute. */
  expiresAt: number;
}
