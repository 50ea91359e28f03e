import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { table } from './stats';

/**
 * One row of the fault report: a fault, where it struck, what the design says must follow, and what did.
 * The emulator faults (bench/emulatorFaults.ts) write these rows; the fault matrix over every Task state
 * (issue 14) is meant to write its cells in the same shape, so that one report joins both.
 */
export interface FaultRow {
  /** Where the fault struck: an emulator here, `<saga>.<Task state>` in the matrix. */
  point: string;
  /** What the fault was, e.g. `frozen 3 s (SIGSTOP, SIGCONT)`. */
  fault: string;
  /** How many sagas were in flight when it struck. */
  sagas: number;
  /** What the design says must follow. */
  expected: string;
  /** What followed: the sagas' ends, counted. */
  observed: string;
  holds: boolean;
  /** Why it does not hold (empty when it does). */
  reasons: string[];
  /** How long the row took, fault and recovery included. */
  seconds: number;
}

export function formatFaultRows(rows: FaultRow[]): string {
  const lines = [
    table([
      ['', 'point', 'fault', 'sagas', 'observed', 's'],
      ...rows.map((row) => [
        row.holds ? '✓' : '✗',
        row.point,
        row.fault,
        row.sagas,
        row.observed,
        Math.round(row.seconds),
      ]),
    ]),
  ];
  for (const row of rows.filter((item) => !item.holds)) {
    lines.push(`✗ ${row.point}, ${row.fault}: expected ${row.expected}`);
    for (const reason of row.reasons) lines.push(`    - ${reason}`);
  }
  lines.push(`${rows.filter((row) => row.holds).length}/${rows.length} fault points hold`);
  return lines.join('\n');
}

export function writeFaultRows(file: string, rows: FaultRow[]): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify({ date: new Date().toISOString(), rows }, null, 2)}\n`);
}
