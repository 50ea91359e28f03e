import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EMULATOR_FAULTS, runEmulatorFault } from '../../bench/emulatorFaults';
import { formatFaultRows, writeFaultRows, type FaultRow } from '../../bench/faultReport';
import { startLocalCloud, type LocalCloud } from '../../local/localCloud';

/**
 * Faults in the emulators themselves (bench/emulatorFaults.ts), one after the other on one local cloud of its
 * own, data on disk (a restarted DynamoDB Local keeps its tables), ports beside the suite's. Each gives a row
 * of the fault report, printed and written to bench/results/emulator-faults.json; the local cloud restart of
 * tests/integration/restart.test.ts (a saga between retries after its pivot) is the same fault as the Step
 * Functions row here, for a whole cloud.
 */
const base = Number(process.env['TEST_PORT_BASE'] ?? 19000) + 40;
const ports = { dynamodb: base, http: base + 1, lambda: base + 2, stepFunctions: base + 3 };
const EMULATOR_REPORT = 'bench/results/emulator-faults.json';

describe('Faults in the emulators, with sagas in flight', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'saga-shop-emulators-'));
  const rows: FaultRow[] = [];
  let cloud: LocalCloud;

  beforeAll(async () => {
    cloud = await startLocalCloud({ fresh: true, persist: true, dataDir, ports });
  }, 300_000);

  afterAll(async () => {
    await cloud?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    if (rows.length > 0) {
      writeFaultRows(EMULATOR_REPORT, rows);
      console.log(`Faults in the emulators (${EMULATOR_REPORT})\n${formatFaultRows(rows)}`);
    }
  });

  it.each(EMULATOR_FAULTS.map((fault) => [`${fault.emulator}: ${fault.fault}`, fault] as const))(
    'recovers from %s: every saga ends as designed, nothing written twice, the invariants hold',
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
