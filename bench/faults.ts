import { parseArgs } from 'node:util';
import { isStopping, stopOnSignals } from '../local/process';
import { benchCloud, portBaseOf } from './cloud';
import { faultMatrix } from './faultMatrix';
import { isSkipped, runFaultMatrix } from './faultMatrixRun';
import { formatFaultRows, writeFaultRows } from './faultReport';

/**
 * `npm run faults`: the fault matrix (bench/faultMatrix.ts) on a fresh local cloud of its own, one cell after
 * the other; prints state × fault → ✓ or ✗ with the reason, writes bench/results/fault-matrix.json, exits 1 on
 * any ✗. Cells that cannot run yet are listed as such, not counted.
 */
async function main(): Promise<void> {
  stopOnSignals((line) => console.log(`\n» ${line}`));
  const { values } = parseArgs({
    options: {
      'port-base': { type: 'string', default: String(portBaseOf('faults')) },
      only: { type: 'string' },
    },
  });
  const log = (line: string) => console.log(`» ${line}`);
  const cells = faultMatrix().filter(
    (cell) => values.only === undefined || `${cell.saga}.${cell.state}.${cell.fault}`.includes(values.only),
  );
  const cloud = await benchCloud({ reuse: false, portBase: Number(values['port-base']), log });
  let failed = 0;
  try {
    const rows = await runFaultMatrix(cloud.ports, cells, (row) =>
      log(`${isSkipped(row) ? '–' : row.holds ? '✓' : '✗'} ${row.point} × ${row.fault}: ${row.observed}`),
    );
    const run = rows.filter((row) => !isSkipped(row));
    failed = run.filter((row) => !row.holds).length;
    writeFaultRows('bench/results/fault-matrix.json', rows);
    console.log(`\n${formatFaultRows(run)}`);
    const skipped = rows.filter(isSkipped);
    if (skipped.length > 0)
      console.log(
        `(${skipped.length} more cells not run yet: ${[...new Set(skipped.map((row) => row.observed.slice(9)))].join('; ')})`,
      );
  } finally {
    await cloud.stop();
  }
  process.exit(failed === 0 ? 0 : 1);
}

main().catch((error: unknown) => {
  if (isStopping()) return;
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(2);
});
