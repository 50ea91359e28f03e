import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { createConnection } from 'node:net';

/** A child process of the local cloud, with its output prefixed and kept for diagnosis. */
export interface Managed {
  name: string;
  child: ChildProcess;
  /** The last lines it printed, to show when it dies or never becomes ready. */
  tail: () => string;
  stop: () => Promise<void>;
}

export function startProcess(
  name: string,
  command: string,
  args: string[],
  options: SpawnOptions & { echo?: boolean; onLine?: (line: string) => void },
): Managed {
  // A process group of its own, so stopping it also stops what it started (sls offline's workers).
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
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    name,
    child,
    tail: () => lines.slice(-40).join('\n'),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const signalGroup = (signal: NodeJS.Signals) => {
        try {
          process.kill(-child.pid!, signal);
        } catch {
          /* already gone */
        }
      };
      signalGroup('SIGTERM');
      const killer = setTimeout(() => signalGroup('SIGKILL'), 5_000);
      await exited;
      clearTimeout(killer);
    },
  };
}

function portOpen(port: number): Promise<boolean> {
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
  if (await portOpen(port)) {
    throw new Error(
      `Port ${port} (${what}) is already in use: is another local cloud running? Stop it, or move the port (see local/config.ts).`,
    );
  }
}

/** Waits until `ready()` holds, failing early if the process exits and after `timeoutMs` otherwise. */
export async function waitUntil(managed: Managed, ready: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (managed.child.exitCode !== null) {
      throw new Error(`${managed.name} exited with code ${managed.child.exitCode}:\n${managed.tail()}`);
    }
    if (await ready().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${managed.name} was not ready after ${timeoutMs} ms:\n${managed.tail()}`);
}
