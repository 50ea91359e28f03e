import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { portEnvironment, portsFrom } from '../../local/config';
import { interruptAt, type InterruptOptions, type Interrupted } from './support/interrupt';
import { TEST_PORT_OFFSETS, testPortBase } from '../support/ports';

/**
 * Ctrl-C at any moment stops everything a command started: each command is run in a process group of its own
 * and the group gets SIGINT, as a terminal sends it, at a moment of its start-up or of its run. Then no
 * process it started may still run, and none of its ports may answer. The commands run one after the other
 * on the same ports, so a port left taken would also fail the next one.
 */
const base = testPortBase() + TEST_PORT_OFFSETS.stop;
const ports = Object.values(portsFrom(base));
const dataDir = mkdtempSync(join(tmpdir(), 'saga-shop-stop-'));
const env = {
  ...process.env,
  ...portEnvironment(portsFrom(base)),
  LOCAL_DATA_DIR: dataDir,
  BENCH_PORT_BASE: String(base),
  CHAOS_PORT_BASE: String(base),
  // A test cloud of its own for the jest run below (tests/integration/support/ports.ts).
  TEST_PORT_BASE: String(base),
};

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function expectEverythingStopped(run: Interrupted, started: RegExp[], exit = { byTheSignal: true }): void {
  const seen = started.every((what) => run.descendants.some((line) => what.test(line)));
  if (!run.signalled || !seen || run.survivors.length > 0 || run.takenPorts.length > 0) {
    // What the command printed and started, to see where it was when the signal came.
    console.log(`${run.output.slice(-3_000)}\n${run.descendants.join('\n')}`);
  }
  expect(run.signalled).toBe(true);
  for (const what of started) expect(run.descendants.filter((line) => what.test(line))).not.toEqual([]);
  expect(run.survivors).toEqual([]);
  expect(run.takenPorts).toEqual([]);
  // Ended by the signal: the handler's exit (128 + 2), or npm reporting its child's.
  if (exit.byTheSignal) expect(run.code === 130 || run.signal === 'SIGINT').toBe(true);
  else expect(run.code).not.toBe(0);
}

const JAVA = /java .*DynamoDBLocal/;
const OFFLINE = /sls offline start/;
const SLEEPER = /(^|\s)sleep 120$/;

describe('Ctrl-C on a command of package.json whose process is busy', () => {
  // The tsx command relays a signal to the node process it starts, waits 30 ms for that process to say it got it,
  // and then kills it with SIGKILL: a start busy for longer on a loaded machine died without stopping what it had
  // started (DynamoDB Local, the Lambda pool), which kept running with their ports taken. The scripts run node
  // itself with tsx's loader (`node --import tsx`), so the signal reaches the command's own handlers, late but
  // always. This runs a command that is busy when the signal comes exactly as package.json runs `npm start`.
  it('stops what it started once its handler gets to run', async () => {
    const { scripts } = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> };
    expect(scripts['start']).toMatch(/ local\/start\.ts$/);
    const busy = scripts['start']!.replace(/local\/start\.ts$/, 'tests/chaos/support/busyWhenSignalled.ts');
    const run = await interruptAt('sh', ['-c', busy], {
      env,
      at: /busy with a child/,
      once: SLEEPER,
      delayMs: 100,
      ports: [],
      timeoutMs: 30_000,
    });
    expectEverythingStopped(run, [SLEEPER]);
  }, 60_000);
});

describe('Ctrl-C on npm start', () => {
  const npmStart = (moment: Pick<InterruptOptions, 'at' | 'once' | 'delayMs'>, timeoutMs = 90_000) =>
    interruptAt('npm', ['start', '--', '--fresh'], { env, ...moment, ports, timeoutMs });

  it('stops DynamoDB Local while it is still starting', async () => {
    const run = await npmStart({ at: /starting DynamoDB Local/, once: JAVA });
    expect(run.output).not.toMatch(/tables: \d+ created/);
    expectEverythingStopped(run, [JAVA]);
  }, 120_000);

  // The tables are created from the configuration the pool's first serverless-offline instance resolved, so by
  // then that instance runs too, still starting (booting, or bundling).
  it('stops DynamoDB Local and the starting Lambda pool once the tables are created', async () => {
    expectEverythingStopped(await npmStart({ at: /tables: \d+ created/ }), [JAVA, OFFLINE]);
  }, 120_000);

  it('stops DynamoDB Local and serverless-offline while serverless-offline starts', async () => {
    const run = await npmStart({ at: /starting serverless-offline/, once: OFFLINE, delayMs: 1_000 });
    expect(run.output).not.toMatch(/The local cloud is up/);
    expectEverythingStopped(run, [JAVA, OFFLINE]);
  }, 120_000);

  it('stops the whole cloud once it is up', async () => {
    expectEverythingStopped(await npmStart({ at: /Press Ctrl-C to stop/ }, 400_000), [JAVA, OFFLINE]);
  }, 420_000);
});

describe('Ctrl-C on npm run chaos and npm run bench', () => {
  it('stops the chaos run’s cloud in the middle of its load', async () => {
    const run = await interruptAt('npm', ['run', 'chaos', '--', '--users', '2', '--duration', '60'], {
      env,
      at: /» load: 2 users/,
      delayMs: 2_000,
      ports,
      timeoutMs: 400_000,
    });
    expect(run.output).not.toMatch(/draining/);
    expectEverythingStopped(run, [JAVA, OFFLINE]);
  }, 420_000);

  it('stops the benchmark’s cloud in the middle of its start', async () => {
    const run = await interruptAt('npm', ['run', 'bench', '--', '--users', '2', '--duration', '30', '--no-paired'], {
      env,
      at: /starting a local cloud of its own/,
      once: OFFLINE,
      delayMs: 1_000,
      ports,
      timeoutMs: 120_000,
    });
    expectEverythingStopped(run, [JAVA, OFFLINE]);
  }, 150_000);
});

describe('Ctrl-C on a test run', () => {
  it('stops the test cloud of the global setup while it starts', async () => {
    const run = await interruptAt(
      'node_modules/.bin/jest',
      ['--runInBand', '--selectProjects', 'integration', '--runTestsByPath', 'tests/integration/client.test.ts'],
      { env, at: /starting a local cloud for the tests/, once: JAVA, ports, timeoutMs: 120_000 },
    );
    // Jest reports its global setup's failure itself, with an exit code of its own.
    expectEverythingStopped(run, [JAVA], { byTheSignal: false });
  }, 150_000);

  it('stops a cloud a test file started (the chaos tier’s), whose `process` is Jest’s copy', async () => {
    const run = await interruptAt(
      'node_modules/.bin/jest',
      ['--runInBand', '--selectProjects', 'chaos', '--runTestsByPath', 'tests/chaos/faults.test.ts'],
      {
        env,
        at: 0,
        once: OFFLINE,
        delayMs: 1_000,
        ports: Object.values(portsFrom(base + TEST_PORT_OFFSETS.faults)),
        timeoutMs: 150_000,
      },
    );
    expectEverythingStopped(run, [JAVA, OFFLINE]);
  }, 180_000);
});
