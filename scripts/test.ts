/**
 * `npm test`: the lint and the six Jest tiers, in three groups that run side by side. Run one after the other
 * they took about 7.5 minutes on two cores, using a third of the CPU: most of a tier's time is waiting (for a
 * cloud to start, a saga to end, a retry's interval, Prometheus' next evaluation), not computing. Within a
 * group the files still run one at a time (`--runInBand`), as they were written to.
 *
 * - The unit, component and integration tiers (the integration tier shares one cloud: its files must not
 *   overlap each other), with the terminal: its output is live.
 * - The chaos run and the fault matrix; and the lint, the e2e and deploy tiers and the Ctrl-C tests. Each on
 *   ports of its own (TEST_PORT_BASE moved by GROUP_PORT_SHIFT, so no two groups' clouds and servers meet), its
 *   output kept and printed whole once the live group has ended, so the groups' lines never interleave.
 *
 * Clouds of different groups starting at once bundle the functions once (local/bundleCache.ts's lock); the
 * deploy tier packages in a copy of the project. Arguments after `npm test --` go to every Jest run. The exit
 * code is the first failing group's, or 0. Ctrl-C (or a SIGTERM) reaches every group, and this waits for them
 * to stop.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import { testPortBase } from '../tests/support/ports';
import { runMain } from './runMain';

/** How far above TEST_PORT_BASE each group's ports start: more than any group's layout spans (tests/support/ports.ts). */
const GROUP_PORT_SHIFT = 200;

interface Group {
  name: string;
  commands: string[][];
  /** Its output goes straight to the terminal (one group only). */
  live?: boolean;
}

/** A Jest run, one file at a time; the projects come last, since `--selectProjects` takes every word after it. */
const jest = (projects: string[], options: string[] = []) => [
  'jest',
  '--runInBand',
  ...options,
  '--selectProjects',
  ...projects,
];
const STOP_TESTS = 'tests/chaos/stop.test.ts';

/**
 * Balanced by what each took alone on two cores (2026-12-02): the unit, component and integration tiers 140 s;
 * the chaos run and the fault matrix 150 s; the lint, e2e, deploy and the Ctrl-C tests 165 s.
 */
const GROUPS: Group[] = [
  { name: 'unit, component, integration', commands: [jest(['unit', 'component', 'integration'])], live: true },
  { name: 'chaos, faults', commands: [jest(['chaos'], ['--testPathIgnorePatterns', STOP_TESTS])] },
  {
    name: 'lint, e2e, deploy, Ctrl-C',
    commands: [['npm', 'run', 'lint'], jest(['e2e', 'deploy']), jest(['chaos'], [STOP_TESTS])],
  },
];

interface Outcome {
  group: Group;
  code: number;
  seconds: number;
  output: Buffer[];
}

const running = new Set<ChildProcess>();
let interrupted: NodeJS.Signals | undefined;

function run(command: string[], env: NodeJS.ProcessEnv, live: boolean, output: Buffer[]): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command[0]!, command.slice(1), {
      env,
      stdio: live ? 'inherit' : ['ignore', 'pipe', 'pipe'],
    });
    running.add(child);
    child.stdout?.on('data', (chunk: Buffer) => output.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => output.push(chunk));
    child.on('error', (error) => {
      output.push(Buffer.from(`${command.join(' ')}: ${error.message}\n`));
      running.delete(child);
      resolve(127);
    });
    child.on('close', (code, signal) => {
      running.delete(child);
      resolve(code ?? 128 + constants.signals[signal ?? 'SIGTERM']);
    });
  });
}

async function runGroup(group: Group, index: number, extraArguments: string[]): Promise<Outcome> {
  const started = Date.now();
  const env = { ...process.env, TEST_PORT_BASE: String(testPortBase() + index * GROUP_PORT_SHIFT) };
  const output: Buffer[] = [];
  let code = 0;
  for (const command of group.commands) {
    if (interrupted) break;
    const [program, ...rest] = command;
    // A path or a name filter given after `npm test --` matches nothing in some groups: that is no failure.
    const withExtra =
      program === 'jest' && extraArguments.length > 0
        ? [program, ...extraArguments, '--passWithNoTests', ...rest]
        : command;
    code = await run(withExtra, env, group.live ?? false, output);
    if (code !== 0) break;
  }
  return { group, code, seconds: (Date.now() - started) / 1000, output };
}

function printWhole(outcome: Outcome): void {
  const rule = '─'.repeat(8);
  process.stdout.write(`\n${rule} ${outcome.group.name} ${rule}\n`);
  for (const chunk of outcome.output) process.stdout.write(chunk);
}

async function main(): Promise<number> {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      // A terminal's Ctrl-C reaches the children too; a signal sent to this process alone is passed on.
      interrupted ??= signal;
      for (const child of running) child.kill(signal);
    });
  }
  const extraArguments = process.argv.slice(2);
  const started = Date.now();
  const outcomes = GROUPS.map((group, index) => runGroup(group, index, extraArguments));
  const live = GROUPS.findIndex((group) => group.live);
  await outcomes[live];
  // The kept output of each other group, in the order they end.
  await Promise.all(outcomes.filter((_, index) => index !== live).map((outcome) => outcome.then(printWhole)));
  const ended = await Promise.all(outcomes);
  const summary = ended
    .map(
      ({ group, code, seconds }) =>
        `${group.name} ${code === 0 ? 'passed' : `FAILED (exit ${code})`} in ${seconds.toFixed(0)} s`,
    )
    .join(' · ');
  process.stdout.write(`\nnpm test: ${summary}; ${((Date.now() - started) / 1000).toFixed(0)} s in all\n`);
  // As a shell reports a process a signal ended.
  if (interrupted) return 128 + constants.signals[interrupted];
  return ended.find(({ code }) => code !== 0)?.code ?? 0;
}

runMain(main);
