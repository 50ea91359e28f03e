import * as z from 'zod';
import { typeError } from './schemas';

/** The largest single amount accepted on the wire: far above any real order, far below float trouble. */
export const MAX_SUM = 1_000_000_000;

/**
 * A sum on the wire: a JSON number that is an exact, positive number of cents, at least one. Inside the
 * system money is an integer number of minor units (cents), so no arithmetic ever happens on floats.
 *
 * "Exact" without a tolerance: the number must be the very double that `cents / 100` gives. The double
 * nearest a decimal with two places is the one the division rounds to, so every two-decimal sum passes
 * (0.29, whose double is 0.28999…, included), and anything else — 1e-9, 0.001, 0.295, 1.0000001 — fails,
 * however close to a cent it is.
 */
export const Sum = z
  .number({ error: typeError('a number') })
  .positive('must be greater than 0')
  .max(MAX_SUM, `must be at most ${MAX_SUM}`)
  // Positive and exact, so at least one cent: a sum below a cent can never round to an order of 0.
  .refine((value) => Math.round(value * 100) / 100 === value, 'must be a whole number of cents, at least 0.01');

export function toMinorUnits(sum: number): number {
  return Math.round(sum * 100);
}

export function fromMinorUnits(minor: number): number {
  return minor / 100;
}
