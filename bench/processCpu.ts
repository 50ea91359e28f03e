import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU time of the local cloud's processes, from their own counters: /proc/<pid>/stat (Linux). A process's
 * `utime + stime` is what its threads ran; `cutime + cstime` is what its children that ended and were waited
 * for ran, so summing both over a process and its living descendants counts every process of a subtree once,
 * whether it lived through the window or not.
 */

/** Clock ticks per second of /proc's counters: 100 on every Linux this project runs on (`getconf CLK_TCK`). */
export const CLOCK_TICKS_PER_SECOND = 100;

export interface ProcessStat {
  pid: number;
  ppid: number;
  /** The command's name, as the kernel keeps it (15 characters at most). */
  comm: string;
  /** utime + stime, in ms: what this process's own threads ran. */
  ownMs: number;
  /** cutime + cstime, in ms: what its children that have ended ran. */
  endedChildrenMs: number;
}

/**
 * One /proc/<pid>/stat line. The command name is in parentheses and may itself hold spaces and parentheses,
 * so the fields are counted from the last ')'.
 */
export function parseStat(line: string): ProcessStat {
  const open = line.indexOf('(');
  const close = line.lastIndexOf(')');
  if (open < 0 || close < open) throw new Error(`not a /proc/<pid>/stat line: ${line.slice(0, 80)}`);
  // After the name: state(3) ppid(4) … utime(14) stime(15) cutime(16) cstime(17), numbered as in proc(5).
  const fields = line
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  const field = (number: number) => Number(fields[number - 3]);
  const ms = (ticks: number) => (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
  return {
    pid: Number(line.slice(0, open).trim()),
    ppid: field(4),
    comm: line.slice(open + 1, close),
    ownMs: ms(field(14) + field(15)),
    endedChildrenMs: ms(field(16) + field(17)),
  };
}

/** Every process this user can see, by pid (one that ends while it is read is skipped). */
export function readProcesses(): Map<number, ProcessStat> {
  const found = new Map<number, ProcessStat>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = parseStat(readFileSync(`/proc/${entry}/stat`, 'utf8'));
      found.set(stat.pid, stat);
    } catch {
      /* ended meanwhile */
    }
  }
  return found;
}

/** The pids of a process's living descendants (children, their children, …). */
export function descendantsOf(pid: number, processes: Map<number, ProcessStat>): number[] {
  const children = new Map<number, number[]>();
  for (const stat of processes.values()) {
    children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), stat.pid]);
  }
  const found: number[] = [];
  const stack = [...(children.get(pid) ?? [])];
  while (stack.length > 0) {
    const next = stack.pop()!;
    found.push(next);
    stack.push(...(children.get(next) ?? []));
  }
  return found;
}

/** The CPU ms a process and its descendants have run, the ended ones included. */
export function subtreeMs(pid: number, processes: Map<number, ProcessStat>): number {
  return [pid, ...descendantsOf(pid, processes)].reduce((sum, member) => {
    const stat = processes.get(member);
    return stat === undefined ? sum : sum + stat.ownMs + stat.endedChildrenMs;
  }, 0);
}

/**
 * HotSpot's JIT compiler threads, by the names it gives them (`C2 CompilerThre`, `C1 CompilerThre`: 15
 * characters at most). A JVM still compiling its hot code is still warming up: its serving threads run the
 * code less optimized meanwhile, and the compiling is CPU a warm JVM no longer spends.
 */
export function isJitCompilerThread(comm: string): boolean {
  return /^C[12] CompilerThre/.test(comm);
}

/** The CPU ms that a process's threads named `which` have run (0 once it has ended). */
export function threadsMs(pid: number, which: (comm: string) => boolean): number {
  let sum = 0;
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        const stat = parseStat(readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8'));
        if (which(stat.comm)) sum += stat.ownMs;
      } catch {
        /* ended meanwhile */
      }
    }
  } catch {
    /* ended */
  }
  return sum;
}

/** The command line of a process, its arguments joined by spaces ('' once it has ended). */
export function commandLineOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

/** The processes of a benchmark by role, and the CPU each role has run so far (see bench/floor.ts). */
export interface CloudCpu {
  cpuMs: Record<'lambda' | 'dynamodb' | 'stepFunctions' | 'load', number>;
  /** Of DynamoDB Local's, what its JIT compiler threads ran. */
  dynamodbJitMs: number;
  /** Processes per role, and their commands, to show what was counted as what. */
  processes: Record<'lambda' | 'dynamodb' | 'stepFunctions' | 'load', string[]>;
}

/**
 * The CPU of a benchmark's processes so far. This process (`benchPid`) runs the Step Functions endpoint; its
 * children, each with its descendants, are the load generator (`loadPid`), DynamoDB Local (java) and, whatever
 * else this process started, the Lambda runtime (serverless-offline, one process or several).
 */
export function cloudCpu(benchPid: number, loadPid: number | undefined, processes = readProcesses()): CloudCpu {
  const bench = processes.get(benchPid);
  const cpu: CloudCpu = {
    // Its own threads only: its ended children (none while a benchmark runs) are no endpoint's work.
    cpuMs: { lambda: 0, dynamodb: 0, stepFunctions: bench?.ownMs ?? 0, load: 0 },
    dynamodbJitMs: 0,
    processes: { lambda: [], dynamodb: [], stepFunctions: bench ? [bench.comm] : [], load: [] },
  };
  for (const child of processes.values()) {
    if (child.ppid !== benchPid) continue;
    const role = child.pid === loadPid ? 'load' : child.comm === 'java' ? 'dynamodb' : 'lambda';
    cpu.cpuMs[role] += subtreeMs(child.pid, processes);
    if (role === 'dynamodb') cpu.dynamodbJitMs += threadsMs(child.pid, isJitCompilerThread);
    cpu.processes[role].push(
      ...[child.pid, ...descendantsOf(child.pid, processes)].map((pid) => processes.get(pid)?.comm ?? ''),
    );
  }
  return cpu;
}
