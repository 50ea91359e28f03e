import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EMULATOR_FAULTS, runEmulatorFault } from '../../bench/emulatorFaults';
import { faultMatrix } from '../../bench/faultMatrix';
import { isSkipped, notRunnable, runFaultMatrix } from '../../bench/faultMatrixRun';
import { formatFaultRows, writeFaultRows, type FaultRow } from '../../bench/faultReport';
import { startLocalCloud, type LocalCloud } from '../../local/localCloud';

/**
 * Every fault point, on one local cloud of its own (data on disk, so that a restarted emulator keeps it;
 * ports beside the suite's): first the fault matrix (bench/faultMatrix.ts: each Task state of both sagas ×
 * each fault, one saga per cell, the expected outcome from the pivot rule), then the faults in the emulators
 * themselves (bench/emulatorFaults.ts), as rows beside the matrix. The report is printed and written to
 * bench/results/fault-report.json. tests/integration/restart.test.ts restarts a whole cloud in the middle of a
 * saga; the Step Functions row here does the same to its endpoint alone.
 */
const base = Number(process.env['TEST_PORT_BASE'] ?? 19000) + 40;
const ports = { dynamodb: base, http: base + 1, lambda: base + 2, stepFunctions: base + 3 };
const REPORT = 'bench/results/fault-report.json';
const cells = faultMatrix();
const runnable = cells.filter((cell) => notRunnable(cell) === undefined);

describe('Every fault point', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'saga-shop-faults-'));
  const rows: FaultRow[] = [];
  let cloud: LocalCloud;

  beforeAll(async () => {
    cloud = await startLocalCloud({ fresh: true, persist: true, dataDir, ports });
  }, 300_000);

  afterAll(async () => {
    await cloud?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    if (rows.length > 0) {
      writeFaultRows(REPORT, rows);
      const waiting = cells.length - runnable.length;
      console.log(
        `Fault matrix and faults in the emulators (${REPORT})\n${formatFaultRows(rows)}\n` +
          `(${waiting} matrix cells wait: the duplicate delivery the Step Functions fault plan lacks, and the time scale)`,
      );
    }
  });

  it.each(runnable.map((cell) => [`${cell.saga}.${cell.state}`, cell.fault, cell] as const))(
    'the fault matrix: %s × %s ends as the pivot rule says, the invariants hold, the answer agrees',
    async (_state, _fault, cell) => {
      const [row] = await runFaultMatrix(cloud.ports, [cell]);
      rows.push(row!);
      expect(isSkipped(row!)).toBe(false);
      expect(row!.reasons).toEqual([]);
      expect(row!.holds).toBe(true);
    },
    60_000,
  );

  it.each(EMULATOR_FAULTS.map((fault) => [`${fault.emulator}: ${fault.fault}`, fault] as const))(
    'an emulator fault, %s: every saga ends as designed, nothing written twice, the invariants hold',
    async (_name, fault) => {
      const row = await runEmulatorFault(cloud, fault);
      rows.push(row);
      expect(row.reasons).toEqual([]);
      expect(row.holds).toBe(true);
      expect(row.sagas).toBeGreaterThan(0);
    },
    420_000,
  );
});
