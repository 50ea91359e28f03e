import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * The local cloud's own processes (npm start, npm run bench and chaos, the tests' global setup: each runs the Step
 * Functions endpoint) never load the Tracer. Its X-Ray SDK installs an async hook with destroy tracking on every
 * promise of the process, which was 11% of the Step Functions endpoint's busy time in a bench profile
 * (docs/BENCHMARKS.md); the functions load it only where the stage traces (lib/common/observability.ts). Each
 * module is loaded in a fresh node, as those commands load it, and the modules it pulled in are listed.
 */
const ROOT = join(__dirname, '..', '..', '..');
const TRACER = /@aws-lambda-powertools\/tracer|aws-xray-sdk-core|cls-hooked/;

function modulesLoadedBy(module: string): string[] {
  const script = `require(${JSON.stringify(module)}); process.stdout.write(JSON.stringify(Object.keys(require.cache)));`;
  const output = execFileSync(process.execPath, ['--import', 'tsx', '-e', script], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, POWERTOOLS_TRACE_ENABLED: undefined },
  });
  return JSON.parse(output) as string[];
}

describe('The local cloud’s processes load no Tracer', () => {
  it.each([
    './local/localCloud.ts',
    './bench/cloud.ts',
    './bench/chaosRun.ts',
    './bench/faultMatrixRun.ts',
    './bench/emulatorFaults.ts',
  ])('%s', (module) => {
    const loaded = modulesLoadedBy(module);
    // The module itself was loaded: the list is that of a real load, not of one that failed early.
    expect(loaded.some((path) => path.endsWith(module.slice(1)))).toBe(true);
    expect(loaded.filter((path) => TRACER.test(path))).toEqual([]);
  });

  it('sees the Tracer where a module does load it', () => {
    expect(modulesLoadedBy('./lib/common/sfn.ts').filter((path) => TRACER.test(path))).not.toEqual([]);
  });
});
