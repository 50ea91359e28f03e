import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EMULATOR_FAULTS, runEmulatorFault } from '../../bench/emulatorFaults';
import { faultMatrix } from '../../bench/faultMatrix';
import { runFaultMatrix } from '../../bench/faultMatrixRun';
import { formatFaultRows, writeFaultRows, type FaultRow } from '../../bench/faultReport';
import { startLocalCloud, type LocalCloud } from '../../local/localCloud';
import { TEST_TIME_SCALE } from '../integration/support/globalSetup';
import { TEST_PORT_OFFSETS, testPorts } from '../support/ports';

/**
 * Every fault point, on one local cloud of its own (data on disk, so that a restarted emulator keeps it;
 * ports beside the suite's): first, at the suite's time scale (a Retry schedule of minutes takes a second or
 * two), the fault matrix (bench/faultMatrix.ts: each Task state of both sagas × each fault, one saga per cell,
 * the expected outcome from the pivot rule; a saga that stops is redriven and must then complete), its cells
 * run a few at a time, each on its own saga and client; then, at real time, the faults in the emulators
 * themselves (bench/emulatorFaults.ts), as rows beside the matrix. The report is printed and written to
 * bench/results/fault-report.json. tests/integration/restart.test.ts restarts a whole cloud in the middle of a
 * saga; the Step Functions row here does the same to its endpoint alone.
 */
const ports = testPorts(TEST_PORT_OFFSETS.faults);
const REPORT = 'bench/results/fault-report.json';
const cells = faultMatrix();
/** Cells at once: each strikes its own execution only, and two cores are busy enough with four. */
const CONCURRENCY = 4;

describe('Every fault point', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'saga-shop-faults-'));
  const rows: FaultRow[] = [];
  let matrix: FaultRow[] = [];
  let cloud: LocalCloud;

  beforeAll(async () => {
    cloud = await startLocalCloud({ fresh: true, persist: true, dataDir, ports, timeScale: TEST_TIME_SCALE });
    matrix = await runFaultMatrix(cloud.ports, cells, { concurrency: CONCURRENCY });
    rows.push(...matrix);
  }, 420_000);

  afterAll(async () => {
    await cloud?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    if (rows.length > 0) {
      writeFaultRows(REPORT, rows);
      console.log(`Fault matrix and faults in the emulators (${REPORT})\n${formatFaultRows(rows)}`);
    }
  });

  it.each(cells.map((cell, index) => [`${cell.saga}.${cell.state}`, cell.fault, index] as const))(
    'the fault matrix: %s × %s ends as the pivot rule says (redriven when it stops), the invariants hold, the answer agrees',
    (_state, _fault, index) => {
      const row = matrix[index];
      expect(row?.point).toBe(`${cells[index]!.saga}.${cells[index]!.state} (${cells[index]!.role})`);
      expect(row!.reasons).toEqual([]);
      expect(row!.holds).toBe(true);
    },
  );

  describe('faults in the emulators', () => {
    // At real time: a fault of seconds must be outlasted by the Retry schedules (7 s before the pivot), as it
    // is deployed; at the matrix's scale every saga it caught would compensate or stop. Executions persist.
    beforeAll(async () => {
      await cloud.emulators.stepFunctions.kill();
      await cloud.emulators.stepFunctions.start({ timeScale: 1 });
    });

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
});
