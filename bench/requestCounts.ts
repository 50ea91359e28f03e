import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';

/**
 * How many HTTP requests the local cloud's Node processes send, and to whom: bench/requestCounter.mjs, loaded
 * into each of them (the Lambda processes through NODE_OPTIONS as they start, this process by an import),
 * counts them by Host from Node's diagnostics channel, and writes its counts when asked (SIGUSR2). No proxy
 * in between: the requests go where they went, and counting one costs a map increment.
 */

/** Requests sent, by the Host they went to (`127.0.0.1:8000`). */
export type RequestsByHost = Record<string, number>;

const COUNTER = resolve(__dirname, 'requestCounter.mjs');

export interface RequestCounting {
  /** NODE_OPTIONS for the processes to count: the counter is loaded into each before its own code. */
  nodeOptions: string;
  /** Every counting process's total so far, summed; asks each to write its counts and waits for them. */
  snapshot: () => Promise<RequestsByHost>;
  /** Removes the counts' folder. */
  close: () => void;
}

/** Starts counting in this process; the processes started with `nodeOptions` in their environment count too. */
export async function countRequests(): Promise<RequestCounting> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-requests-'));
  process.env['BENCH_REQUEST_COUNTS_DIR'] = dir;
  await import(pathToFileURL(COUNTER).href);
  return {
    nodeOptions: [process.env['NODE_OPTIONS'] ?? '', `--import=${pathToFileURL(COUNTER).href}`].join(' ').trim(),
    snapshot: () => snapshot(dir),
    close: () => {
      delete process.env['BENCH_REQUEST_COUNTS_DIR'];
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

interface CounterFile {
  pid: number;
  seq: number;
  counts: RequestsByHost;
}

const read = (file: string): CounterFile | undefined => {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as CounterFile;
  } catch {
    return undefined; // being written, or its process has gone
  }
};

async function snapshot(dir: string): Promise<RequestsByHost> {
  const files = readdirSync(dir).map((name) => join(dir, name));
  const before = new Map(files.map((file) => [file, read(file)]));
  const asked = new Set<string>();
  for (const [file, found] of before) {
    try {
      if (found) process.kill(found.pid, 'SIGUSR2');
      asked.add(file);
    } catch {
      /* it has ended: its last counts stand */
    }
  }
  const total: RequestsByHost = {};
  for (const [file, was] of before) {
    let now = read(file);
    const answered = () => !asked.has(file) || (now !== undefined && now.seq !== was?.seq);
    for (let waited = 0; !answered() && waited < 2_000; waited += 10) {
      await sleep(10);
      now = read(file);
    }
    for (const [host, count] of Object.entries((now ?? was)?.counts ?? {})) total[host] = (total[host] ?? 0) + count;
  }
  return total;
}

/** What `after` has counted beyond `before`, by host. */
export function requestsBetween(before: RequestsByHost, after: RequestsByHost): RequestsByHost {
  return Object.fromEntries(Object.entries(after).map(([host, count]) => [host, count - (before[host] ?? 0)]));
}

/** Requests by emulator, the hosts told apart by their port (`127.0.0.1:<port>`, `localhost:<port>`). */
export function requestsByPort<Name extends string>(
  requests: RequestsByHost,
  ports: Record<Name, number>,
): Record<Name, number> {
  const byName = Object.fromEntries(Object.keys(ports).map((name) => [name, 0])) as Record<Name, number>;
  for (const [host, count] of Object.entries(requests)) {
    const port = Number(host.split(':').at(-1));
    const name = (Object.keys(ports) as Name[]).find((candidate) => ports[candidate] === port);
    if (name !== undefined) byName[name] += count;
  }
  return byName;
}
