import { createHash, randomUUID } from 'node:crypto';

/**
 * A new record id. Given the request id of the call that creates the record, the id is derived from it,
 * so a repeated call computes the same key and a conditional put makes a second record impossible.
 */
export function newId(kind: string, requestId?: string): string {
  if (requestId === undefined) return randomUUID();
  const hex = createHash('sha256').update(`${kind}\u0000${requestId}`).digest('hex');
  // Formatted as a version-8 (custom) UUID so ids look alike whichever way they were made.
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
