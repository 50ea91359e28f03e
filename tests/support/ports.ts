import { portsFrom, type LocalCloudPorts } from '../../local/config';

/** The first port of the test suite's, beside the developer's `npm start`: TEST_PORT_BASE moves them all. */
export const testPortBase = () => Number(process.env['TEST_PORT_BASE'] ?? 19000);

/**
 * Where above TEST_PORT_BASE each tier's own servers go, the one place they are laid out: the suite's shared
 * cloud, the component and e2e tests' servers (tests/support/fakeLambda.ts's `unitTestPort`), the restart
 * test's cloud, the emulator faults' cloud (tests/integration/faults.test.ts, and tests/chaos/faults.test.ts,
 * which never runs beside it), the chaos run's, and the Ctrl-C tests'.
 */
export const TEST_PORT_OFFSETS = { suite: 0, servers: 10, restart: 20, faults: 40, chaos: 60, stop: 70 } as const;

/**
 * The ports of a local cloud a test starts, in memory (local/config.ts's layout): the suite's by default,
 * or another tier's.
 */
export function testPorts(offset: number = TEST_PORT_OFFSETS.suite): LocalCloudPorts {
  return portsFrom(testPortBase() + offset);
}
