import * as z from 'zod';

/** "is required" for a missing field, "must be a <type>" for a present one of the wrong type. */
export const typeError = (type: string) => (issue: { input?: unknown }) =>
  issue.input === undefined ? 'is required' : `must be ${type}`;

/** A request body: a JSON object with exactly the fields named, no unknown ones. */
export const Body = <Shape extends z.ZodRawShape>(shape: Shape) =>
  z.strictObject(shape, {
    error: (issue) => (issue.code === 'invalid_type' ? 'Request body must be a JSON object' : undefined),
  });

/** Ids are opaque strings: bounded, and limited to characters no key or log line has to escape. */
export const Id = z
  .string({ error: typeError('a string') })
  .min(1, 'must not be empty')
  .max(64, 'must be at most 64 characters')
  .regex(/^[A-Za-z0-9_-]+$/, 'must contain only letters, digits, "-" and "_"');

export const NonEmptyText = (max: number) =>
  z
    .string({ error: typeError('a string') })
    .trim()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`);

/**
 * What no name contains: control characters, format characters (zero-width spaces and joiners, bidi
 * overrides, the BOM), unassigned, private-use and surrogate code points, line and paragraph separators,
 * spaces other than U+0020, and the fillers that render as nothing (Hangul fillers, the braille blank, the
 * combining grapheme joiner). Any of them lets two names look alike, or a name look like nothing at all.
 */
const INVISIBLE_OR_CONTROL =
  /[\p{Cc}\p{Cf}\p{Cn}\p{Co}\p{Cs}\p{Zl}\p{Zp}\u034F\u115F\u1160\u3164\uFFA0\u2800]|(?! )\p{Zs}/u;

/** A person's name: visible text of up to `max` characters, stored in Unicode NFC. */
export const PersonName = (max: number) =>
  NonEmptyText(max)
    .refine((value) => !INVISIBLE_OR_CONTROL.test(value), 'must not contain control or invisible characters')
    .transform((value) => value.normalize('NFC'));
