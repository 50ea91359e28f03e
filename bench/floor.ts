import { round } from './stats';

/**
 * The floor: what one order saga costs the machine, process by process, and the throughput that cost allows.
 * Everything the measured window ran (registrations, logins and deposits of the load's mix too) is divided
 * by the order sagas that ended in it: the cost of an order saga in this mix, as a shop would pay it.
 */

/** The processes of a benchmark, as the report names them. */
export const ROLES = {
  lambda: 'Lambda runtime (serverless-offline)',
  dynamodb: 'DynamoDB Local (java)',
  stepFunctions: 'Step Functions endpoint (the bench process)',
  load: 'load generator',
} as const;
export type Role = keyof typeof ROLES;

/** The emulators a saga sends requests to. */
export const EMULATORS = {
  apiGateway: 'API Gateway',
  lambdaInvoke: 'Lambda Invoke API',
  stepFunctions: 'Step Functions API',
  dynamodb: 'DynamoDB',
} as const;
export type EmulatorName = keyof typeof EMULATORS;

/** What one role ran in the window: its processes' CPU, and how many cores it can keep busy at most. */
export interface RoleUsage {
  /** How many processes it had (a pool of Lambda processes: several). */
  processes: number;
  cpuMs: number;
  /**
   * The cores it can use at once: a Node process runs its JavaScript on one thread (its helper threads, GC
   * and the thread pool, add a little), so a Node role can keep at most one core per process busy; DynamoDB
   * Local (a JVM serving each request on a thread of its own) can keep all the machine's.
   */
  parallelism: number;
  /** Of `cpuMs`, what its JIT compiler ran, where its threads say so (DynamoDB Local's HotSpot). */
  jitCpuMs?: number;
}

export interface RoleFloor extends RoleUsage {
  cpuMsPerSaga: number;
  /** Of `cpuMsPerSaga`, its JIT compiler's: a process still warming up. */
  jitCpuMsPerSaga?: number;
  /** Cores it kept busy on average over the window. */
  busyCores: number;
  /** Order sagas per second at which it would be saturated: parallelism ÷ CPU per saga. */
  ceilingPerSecond: number;
}

export interface Floor {
  cores: number;
  windowS: number;
  orderSagas: number;
  processes: Record<Role, RoleFloor>;
  /** All the processes together. */
  cpuMsPerSaga: number;
  /** The machine's ceiling: all its cores busy with nothing else, cores ÷ CPU per saga. */
  machineCeilingPerSecond: number;
  /** The lower of the machine's ceiling and each process's. */
  ceilingPerSecond: number;
  /** What saturates first: a process, or the machine's cores as a whole. */
  limitedBy: Role | 'machine';
  reachedPerSecond: number;
  /** reached ÷ ceiling. */
  shareOfCeiling: number;
  /** Requests each order saga made to each emulator (all the window's requests ÷ its order sagas). */
  requestsPerSaga: Record<EmulatorName, number>;
}

/** The floor of a window of `windowS` seconds in which `orderSagas` ended, on a machine of `cores` cores. */
export function floorOf(measured: {
  cores: number;
  windowS: number;
  orderSagas: number;
  usage: Record<Role, RoleUsage>;
  requests: Record<EmulatorName, number>;
}): Floor {
  const { cores, windowS } = measured;
  const sagas = Math.max(measured.orderSagas, 1);
  const processes = {} as Record<Role, RoleFloor>;
  for (const role of Object.keys(ROLES) as Role[]) {
    const usage = measured.usage[role];
    const perSaga = usage.cpuMs / sagas;
    processes[role] = {
      ...usage,
      cpuMs: Math.round(usage.cpuMs),
      cpuMsPerSaga: round(perSaga, 2),
      ...(usage.jitCpuMs === undefined
        ? {}
        : { jitCpuMs: Math.round(usage.jitCpuMs), jitCpuMsPerSaga: round(usage.jitCpuMs / sagas, 2) }),
      busyCores: round(usage.cpuMs / 1000 / windowS, 2),
      ceilingPerSecond: perSaga === 0 ? Number.POSITIVE_INFINITY : round((usage.parallelism * 1000) / perSaga),
    };
  }
  const totalPerSaga = Object.values(measured.usage).reduce((sum, usage) => sum + usage.cpuMs, 0) / sagas;
  const machineCeiling = totalPerSaga === 0 ? Number.POSITIVE_INFINITY : round((cores * 1000) / totalPerSaga);
  let limitedBy: Floor['limitedBy'] = 'machine';
  let ceiling = machineCeiling;
  for (const role of Object.keys(ROLES) as Role[]) {
    if (processes[role].ceilingPerSecond < ceiling) {
      ceiling = processes[role].ceilingPerSecond;
      limitedBy = role;
    }
  }
  const reached = round(measured.orderSagas / windowS);
  const requestsPerSaga = Object.fromEntries(
    Object.entries(measured.requests).map(([name, count]) => [name, round(count / sagas)]),
  ) as Record<EmulatorName, number>;
  return {
    cores,
    windowS: round(windowS),
    orderSagas: measured.orderSagas,
    processes,
    cpuMsPerSaga: round(totalPerSaga, 2),
    machineCeilingPerSecond: machineCeiling,
    ceilingPerSecond: ceiling,
    limitedBy,
    reachedPerSecond: reached,
    shareOfCeiling: Number.isFinite(ceiling) && ceiling > 0 ? round(reached / ceiling, 3) : 0,
    requestsPerSaga,
  };
}

/**
 * The 1-user target's ratio: an order saga's time as its client saw it (mean) over the time its Tasks took
 * inside it (mean, from the executions' histories). 1 would be a saga that costs nothing beyond its Tasks.
 */
export function clientToTaskRatio(meanClientMs: number, meanTaskMs: number): number {
  return meanTaskMs <= 0 ? 0 : round(meanClientMs / meanTaskMs, 2);
}
