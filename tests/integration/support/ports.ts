import type { LocalCloudPorts } from '../../../local/config';

/**
 * The test suite runs its own local cloud, in memory, on ports beside the developer's `npm start`
 * (TEST_PORT_BASE moves them: dynamodb = base, API = base+1, Lambda = base+2, Step Functions = base+3).
 */
export function testPorts(): LocalCloudPorts {
  const base = Number(process.env['TEST_PORT_BASE'] ?? 19000);
  return { dynamodb: base, http: base + 1, lambda: base + 2, stepFunctions: base + 3 };
}
