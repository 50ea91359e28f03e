import { parseArgs } from 'node:util';
import { isStopping, stopOnSignals } from '../local/process';
import { benchCloud, portBaseOf } from './cloud';
import { faultMatrix } from './faultMatrix';
import { runFaultMatrix } from './faultMatrixRun';
import { formatFaultRows, writeFaultRows } from './faultReport';

/**
 * `npm run faults`: the fault matrix (bench/faultMatrix.ts) on a fresh local cloud of its own whose Step
 * Functions clock runs at `--time-scale` (a hundredth of real time by default: a Retry schedule of minutes
 * takes a second or two), `--concurrency` cells at a time; prints state × fault → ✓ or ✗ with the reason,
 * writes bench/results/fault-matrix.json, exits 1 on any ✗. `--only ConfirmOrder.everyAttempt` runs the cells
 * whose `<saga>.<state>.<fault>` contains it.
 */
async function main(): Promise<void> {
  stopOnSignals((line) => console.log(`\n» ${line}`));
  const { values } = parseArgs({
    options: {
      'port-base': { type: 'string', default: String(portBaseOf('faults')) },
      'time-scale': { type: 'string', default: '0.01' },
      concurrency: { type: 'string', default: '4' },
      only: { type: 'string' },
    },
  });
  const log = (line: string) => console.log(`» ${line}`);
  const cells = faultMatrix().filter(
    (cell) => values.only === undefined || `${cell.saga}.${cell.state}.${cell.fault}`.includes(values.only),
  );
  const cloud = await benchCloud({
    reuse: false,
    portBase: Number(values['port-base']),
    log,
    cloud: { timeScale: Number(values['time-scale']) },
  });
  let failed = 0;
  try {
    const rows = await runFaultMatrix(cloud.ports, cells, {
      concurrency: Number(values.concurrency),
      onRow: (row) => log(`${row.holds ? '✓' : '✗'} ${row.point} × ${row.fault}: ${row.observed}`),
    });
    failed = rows.filter((row) => !row.holds).length;
    writeFaultRows('bench/results/fault-matrix.json', rows);
    console.log(`\n${formatFaultRows(rows)}`);
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
