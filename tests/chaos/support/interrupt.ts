import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { commandLineOf, portOpen } from '../../../local/process';

/**
 * Runs a command in a process group of its own, as a terminal does, sends SIGINT to the whole group at a
 * chosen moment (when a line of its output matches, or after some time), and reports what survived: every
 * process that descended from it while it ran (java, serverless-offline, its workers, …) and every port
 * that still answers once it has exited.
 */

export interface InterruptOptions {
  env?: NodeJS.ProcessEnv;
  /** The moment: the first output line that matches, or milliseconds after the start. */
  at: RegExp | number;
  /** And only once one of its descendants' command lines matches this (e.g. the java of DynamoDB Local). */
  once?: RegExp;
  /** Once `at` is reached, wait this much longer before the signal. */
  delayMs?: number;
  /** Ports the command's processes listen on: each must be free once it has exited. */
  ports: number[];
  /** How long the command may take to reach the moment, and then to exit. */
  timeoutMs: number;
}

export interface Interrupted {
  /** Whether the moment was reached (false: the command exited first, or timed out). */
  signalled: boolean;
  /** Milliseconds from the start to the signal. */
  signalledAtMs: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
  /** `pid command` of every process that descended from the command while it ran (itself excluded). */
  descendants: string[];
  /** `pid command` of every descendant still alive after the command exited. */
  survivors: string[];
  /** Ports that still answer after it exited. */
  takenPorts: number[];
}

interface ProcessInfo {
  pid: number;
  ppid: number;
  /** Start time in clock ticks since boot: with the pid, one process, even if its pid is later reused. */
  startTime: string;
  state: string;
}

function readProcess(pid: number): ProcessInfo | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may contain spaces: the fields after it are split safely.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { pid, ppid: Number(fields[1]), startTime: fields[19]!, state: fields[0]! };
  } catch {
    return undefined;
  }
}

/** Adds every current descendant of `root` to `seen` (by pid, with its start time). */
function collectDescendants(root: number, seen: Map<number, { startTime: string; command: string }>): void {
  const all = readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map((name) => readProcess(Number(name)))
    .filter((info): info is ProcessInfo => info !== undefined);
  const children = new Map<number, ProcessInfo[]>();
  for (const info of all) children.set(info.ppid, [...(children.get(info.ppid) ?? []), info]);
  const queue = [root];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift()!) ?? []) {
      // Read again each time: a child seen between its fork and its exec still shows its parent's command.
      const command = commandLineOf(child.pid)?.slice(0, 160) ?? '?';
      if (command !== '' && command !== '?') seen.set(child.pid, { startTime: child.startTime, command });
      queue.push(child.pid);
    }
  }
}

function alive(pid: number, startTime: string): boolean {
  const info = readProcess(pid);
  return info !== undefined && info.startTime === startTime && info.state !== 'Z';
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function interruptAt(command: string, args: string[], options: InterruptOptions): Promise<Interrupted> {
  const started = Date.now();
  const child = spawn(command, args, {
    env: options.env ?? process.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pid = child.pid!;
  let output = '';
  let reached = typeof options.at === 'number' ? undefined : false;
  const onOutput = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    if (options.at instanceof RegExp && reached === false && options.at.test(output)) reached = true;
  };
  child.stdout.on('data', onOutput);
  child.stderr.on('data', onOutput);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  let done: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  void exited.then((result) => (done = result));

  const seen = new Map<number, { startTime: string; command: string }>();
  const deadline = started + options.timeoutMs;
  let signalledAtMs = -1;
  const moment = () =>
    (typeof options.at === 'number' ? Date.now() - started >= options.at : reached === true) &&
    (options.once === undefined || [...seen.values()].some((info) => options.once!.test(info.command)));
  while (done === undefined && Date.now() < deadline) {
    collectDescendants(pid, seen);
    if (signalledAtMs < 0 && moment()) {
      if (options.delayMs) await sleep(options.delayMs);
      collectDescendants(pid, seen);
      signalledAtMs = Date.now() - started;
      try {
        process.kill(-pid, 'SIGINT');
      } catch {
        /* the group is gone already */
      }
    }
    await sleep(50);
  }
  if (done === undefined) {
    // Timed out: the command is not stopping by itself. Kill it so the suite goes on; the test then fails.
    output += `\n[interruptAt: no exit within ${options.timeoutMs} ms; killed]`;
    for (const [descendant] of seen) {
      try {
        process.kill(descendant, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    process.kill(-pid, 'SIGKILL');
  }
  const result = await exited;
  // What the command started is stopped before it exits; a moment for the kernel to reap what was killed.
  await sleep(300);
  const survivors = [...seen]
    .filter(([descendant, info]) => alive(descendant, info.startTime))
    .map(([descendant, info]) => `${descendant} ${info.command}`);
  const takenPorts: number[] = [];
  for (const port of options.ports) if (await portOpen(port)) takenPorts.push(port);
  // Reported above; killed here so that the next test starts clean.
  for (const survivor of survivors) {
    try {
      process.kill(Number(survivor.split(' ')[0]), 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  return {
    signalled: signalledAtMs >= 0,
    signalledAtMs,
    ...result,
    output,
    descendants: [...seen].map(([descendant, info]) => `${descendant} ${info.command}`),
    survivors,
    takenPorts,
  };
}
