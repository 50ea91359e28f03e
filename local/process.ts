import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { createConnection } from 'node:net';
import { constants } from 'node:os';
import { runInThisContext } from 'node:vm';

/** A child process of the local cloud, with its output prefixed and kept for diagnosis. */
export interface Managed {
  name: string;
  child: ChildProcess;
  /** The last lines it printed, to show when it dies or never becomes ready. */
  tail: () => string;
  /**
   * SIGTERM to its process group, SIGKILL 5 s later if it is still there, and SIGKILL to what is left of the group
   * once it has exited; resolves then.
   */
  stop: () => Promise<void>;
  /** SIGKILL to its process group at once, as a crash; resolves once it has exited. */
  kill: () => Promise<void>;
}

export function startProcess(
  name: string,
  command: string,
  args: string[],
  options: SpawnOptions & { echo?: boolean; onLine?: (line: string) => void },
): Managed {
  // Before the child exists: a signal from here on stops it, even while it is still starting.
  stopOnSignals();
  if (stopRequested) throw new Error(`not starting ${name}: this process is stopping`);
  // A process group of its own, so stopping it also stops what it started (sls offline's workers). It then
  // does not get the terminal's Ctrl-C either: this process stops it (stopOnSignals), and kills what is left
  // when it exits any other way.
  const child = spawn(command, args, { ...options, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const collect = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line.trim() === '') continue;
      lines.push(line);
      if (lines.length > 200) lines.shift();
      if (options.echo) process.stdout.write(`[${name}] ${line}\n`);
      options.onLine?.(line);
    }
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });
  const managed: Managed = {
    name,
    child,
    tail: () => lines.slice(-40).join('\n'),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      signalGroup(child, 'SIGTERM');
      const killer = setTimeout(() => signalGroup(child, 'SIGKILL'), 5_000);
      await exited;
      clearTimeout(killer);
      // Whatever of its group outlived it (a worker it spawned while already stopping, such as the esbuild
      // service of a bundling sls offline) would be left orphaned: it goes with it.
      signalGroup(child, 'SIGKILL');
    },
    kill: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      signalGroup(child, 'SIGKILL');
      await exited;
      signalGroup(child, 'SIGKILL');
    },
  };
  running.add(managed);
  child.once('exit', () => running.delete(managed));
  // spawn() reports a missing command as an 'error' event, after which no 'exit' may come.
  child.once('error', () => running.delete(managed));
  return managed;
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    /* already gone */
  }
}

// Stopping on a signal. A command that starts children installs this before it starts anything (startProcess
// does in any case), so that Ctrl-C at any moment, in the middle of starting too, leaves nothing running.

/** The children started and not yet exited, oldest first. */
const running = new Set<Managed>();
/** Stops of things that own children or servers (a local cloud), run before the children's own. */
const stops = new Set<() => Promise<void>>();
let stopRequested = false;
let stopping: Promise<void> | undefined;
let installed = false;
/**
 * The process object signals reach. Under Jest a test file sees a copy of `process` (and of `node:process` and
 * `node:module`), whose listeners no signal ever calls; code run by node:vm in Node's own context sees the real
 * one. Anywhere else both are the same object.
 */
const realProcess = runInThisContext('process') as NodeJS.Process;
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** Whether a stop was asked for: a start that fails from here on failed because of it, not on its own. */
export const isStopping = (): boolean => stopRequested;

/** Registers what stops something this process started (newest run first); the answer unregisters it. */
export function stopOnSignal(stop: () => Promise<void>): () => void {
  stopOnSignals();
  stops.add(stop);
  return () => stops.delete(stop);
}

/**
 * Stops everything: the registered stops, newest first, then whatever child is still running, newest first.
 * Once called, no new child starts.
 */
export function stopEverything(): Promise<void> {
  stopRequested = true;
  stopping ??= (async () => {
    for (const stop of [...stops].reverse()) {
      stops.delete(stop);
      await stop().catch((error: unknown) => process.stderr.write(`» while stopping: ${String(error)}\n`));
    }
    while (running.size > 0) await [...running].at(-1)!.stop();
  })();
  return stopping;
}

/**
 * On SIGINT, SIGTERM or SIGHUP: stop everything, then exit with 128 + the signal's number, as a shell
 * reports a process a signal ended. Repeats are ignored while stopping: a terminal's Ctrl-C reaches every
 * process of the group at once, and npm passes it on again. Installed once; later calls do nothing.
 * On any other exit (an uncaught error, a `process.exit` elsewhere), the children still running are killed.
 * Under Jest each test file has its own copy of this module, so each installs its own handlers: the first to
 * finish exits, and the exit hooks of the others kill what they have not stopped yet.
 */
export function stopOnSignals(log: (line: string) => void = (line) => process.stderr.write(`» ${line}\n`)): void {
  if (installed) return;
  installed = true;
  for (const signal of STOP_SIGNALS) {
    realProcess.on(signal, () => {
      if (stopRequested) return;
      log(`${signal}: stopping…`);
      void stopEverything().finally(() => {
        log('stopped');
        realProcess.exit(128 + constants.signals[signal]);
      });
    });
  }
  realProcess.on('exit', () => {
    for (const managed of running) signalGroup(managed.child, 'SIGKILL');
  });
}

/** Whether something accepts TCP connections on 127.0.0.1:`port`. */
export function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export async function assertPortFree(port: number, what: string): Promise<void> {
  if (!(await portOpen(port))) return;
  const holder = portHolder(port);
  const by = holder === undefined ? '' : ` by pid ${holder.pid} (${holder.command})`;
  const stop = holder === undefined ? 'Stop it' : `Stop it (kill ${holder.pid})`;
  throw new Error(
    `Port ${port} (${what}) is already in use${by}: is another local cloud running, or one whose command was killed ` +
      `(kill -9) and left it behind? ${stop}, or move the port (see local/config.ts).`,
  );
}

/** A process's command line, its arguments joined by spaces, from Linux's /proc; undefined once it is gone. */
export function commandLineOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
  } catch {
    return undefined;
  }
}

/** TCP's LISTEN state in /proc/net/tcp{,6}. */
const LISTEN = '0A';

/**
 * The process listening on `port`, from Linux's /proc (the socket's inode in /proc/net/tcp and tcp6, then the
 * process holding it among /proc/<pid>/fd); undefined elsewhere, or when that process is another user's.
 */
export function portHolder(port: number): { pid: number; command: string } | undefined {
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      const [localAddress, state, inode] = [fields[1], fields[3], fields[9]];
      if (localAddress === undefined || state !== LISTEN || inode === undefined || inode === '0') continue;
      if (Number.parseInt(localAddress.split(':')[1]!, 16) === port) inodes.add(`socket:[${inode}]`);
    }
  }
  if (inodes.size === 0) return undefined;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let descriptors: string[];
    try {
      descriptors = readdirSync(`/proc/${entry}/fd`);
    } catch {
      continue; // gone, or another user's
    }
    for (const descriptor of descriptors) {
      let target: string;
      try {
        target = readlinkSync(`/proc/${entry}/fd/${descriptor}`);
      } catch {
        continue;
      }
      if (!inodes.has(target)) continue;
      // A process that exited meanwhile has no command line left; its pid is still the answer.
      return { pid: Number(entry), command: commandLineOf(Number(entry))?.slice(0, 120) ?? '?' };
    }
  }
  return undefined;
}

/**
 * Waits until `ready()` holds, failing early if the process exits and after `timeoutMs` otherwise; a process
 * that never became ready is stopped before the failure is thrown (nobody else holds it yet).
 */
export async function waitUntil(managed: Managed, ready: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (managed.child.exitCode !== null || managed.child.signalCode !== null) {
      const how = managed.child.signalCode ?? `code ${managed.child.exitCode}`;
      throw new Error(`${managed.name} exited (${how}):\n${managed.tail()}`);
    }
    if (await ready().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await managed.stop();
  throw new Error(`${managed.name} was not ready after ${timeoutMs} ms:\n${managed.tail()}`);
}
