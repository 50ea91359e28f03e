import * as z from 'zod';
import { typeError } from './schemas';

/** The largest single amount accepted on the wire: far above any real order, far below float trouble. */
export const MAX_SUM = 1_000_000_000;

/**
 * A sum on the wire: a JSON number, positive, at most 2 decimals. Inside the system money is an integer
 * number of minor units (cents), so no arithmetic ever happens on floats.
 */
export const Sum = z
  .number({ error: typeError('a number') })
  .positive('must be greater than 0')
  .max(MAX_SUM, `must be at most ${MAX_SUM}`)
  .refine((value) => Math.abs(value * 100 - Math.round(value * 100)) < 1e-6, 'must have at most 2 decimals');

export function toMinorUnits(sum: number): number {
  return Math.round(sum * 100);
}

export function fromMinorUnits(minor: number): number {
  return minor / 100;
}
