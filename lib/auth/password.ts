import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Passwords are stored as `scrypt$<N>$<r>$<p>$<salt>$<hash>` (salt and hash base64url): the string says
 * how it was made, so the cost can be raised later and old hashes still verify. N = 2^15, r = 8 (32 MiB,
 * a fraction of a second on a 256 MB Lambda) is below OWASP's 2^17 because of the function's memory size;
 * raise it with the memory.
 */
const SCHEME = 'scrypt';
const DEFAULT_PARAMS = { N: 2 ** 15, r: 8, p: 1 };
const SALT_BYTES = 16;
const KEY_BYTES = 32;
/** Bounds on what a stored string may ask for, so a corrupt record cannot make a login burn CPU or memory. */
const MAX_N = 2 ** 20;
const MAX_MEMORY = 256 * 1024 * 1024;

interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

function derive(password: string, salt: Buffer, params: ScryptParams, keyLength: number): Promise<Buffer> {
  const options: ScryptOptions = { ...params, maxmem: Math.min(MAX_MEMORY, 256 * params.N * params.r) };
  return new Promise((resolve, reject) =>
    scrypt(Buffer.from(password, 'utf8'), salt, keyLength, options, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  );
}

/** A new self-describing hash with a fresh random salt. */
export async function hashPassword(password: string, params: ScryptParams = DEFAULT_PARAMS): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, params, KEY_BYTES);
  return [SCHEME, params.N, params.r, params.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

interface ParsedHash extends ScryptParams {
  salt: Buffer;
  key: Buffer;
}

function parseHash(stored: string): ParsedHash | undefined {
  const match = /^scrypt\$(\d{1,8})\$(\d{1,3})\$(\d{1,3})\$([A-Za-z0-9_-]{16,})\$([A-Za-z0-9_-]{16,})$/.exec(stored);
  if (match === null) return undefined;
  const [N, r, p] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const isPowerOfTwo = N > 1 && (N & (N - 1)) === 0;
  if (!isPowerOfTwo || N > MAX_N || r < 1 || p < 1 || p > 16) return undefined;
  return { N, r, p, salt: Buffer.from(match[4] ?? '', 'base64url'), key: Buffer.from(match[5] ?? '', 'base64url') };
}

/** True when `stored` is a string hashPassword made, which is what a saga may hand to registerUser. */
export function isPasswordHash(stored: string): boolean {
  return parseHash(stored) !== undefined;
}

/** Constant-time comparison of the derived key; an unreadable stored hash never matches. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parseHash(stored);
  if (parsed === undefined) return false;
  const key = await derive(password, parsed.salt, parsed, parsed.key.length);
  return timingSafeEqual(key, parsed.key);
}

/**
 * An unknown login is checked against this hash, so it costs the same scrypt time as a wrong password
 * and the answer's timing does not tell which logins exist. Made once per container.
 */
let dummyHash: Promise<string> | undefined;
export function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hashPassword(randomBytes(16).toString('base64url'));
  return dummyHash;
}
