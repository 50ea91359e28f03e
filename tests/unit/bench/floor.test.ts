import { clientToTaskRatio, floorOf, type Role, type RoleUsage } from '../../../bench/floor';
import { loadSince, type LoadResult } from '../../../bench/load';
import {
  descendantsOf,
  isJitCompilerThread,
  parseStat,
  subtreeMs,
  threadsMs,
  type ProcessStat,
} from '../../../bench/processCpu';
import { requestsBetween, requestsByPort } from '../../../bench/requestCounts';

const usage = (cpuMs: number, parallelism: number, processes = 1): RoleUsage => ({ processes, cpuMs, parallelism });

describe('the floor', () => {
  it('divides each process’s CPU by the order sagas and names the one that saturates first', () => {
    // Prepare: 10 s, 200 order sagas on 2 cores; the Lambda process ran 6 s of CPU on its one thread.
    const measured = {
      cores: 2,
      windowS: 10,
      orderSagas: 200,
      usage: {
        lambda: usage(6_000, 1),
        dynamodb: usage(3_000, 2),
        stepFunctions: usage(1_000, 1),
        load: usage(400, 1),
      } satisfies Record<Role, RoleUsage>,
      requests: { apiGateway: 800, lambdaInvoke: 1_400, stepFunctions: 1_000, dynamodb: 3_200 },
    };

    // Act
    const floor = floorOf(measured);

    // Assess: 30 ms per saga on one core is 33.3 sagas/s; the machine, 52 ms per saga on 2 cores, 38.5/s.
    expect(floor.processes.lambda).toMatchObject({ cpuMsPerSaga: 30, busyCores: 0.6, ceilingPerSecond: 33.3 });
    expect(floor.processes.dynamodb).toMatchObject({ cpuMsPerSaga: 15, busyCores: 0.3, ceilingPerSecond: 133.3 });
    expect(floor.processes.stepFunctions.ceilingPerSecond).toBe(200);
    expect(floor.cpuMsPerSaga).toBe(52);
    expect(floor.machineCeilingPerSecond).toBe(38.5);
    expect(floor.ceilingPerSecond).toBe(33.3);
    expect(floor.limitedBy).toBe('lambda');
    expect(floor.reachedPerSecond).toBe(20);
    expect(floor.shareOfCeiling).toBe(0.601);
    expect(floor.requestsPerSaga).toEqual({ apiGateway: 4, lambdaInvoke: 7, stepFunctions: 5, dynamodb: 16 });
  });

  it('says what share of a process’s CPU per saga its JIT compiler ran, where it is known', () => {
    // Prepare: DynamoDB Local ran 3 s over 200 sagas, 1.2 s of it on its compiler threads.
    const floor = floorOf({
      cores: 2,
      windowS: 10,
      orderSagas: 200,
      usage: {
        lambda: usage(6_000, 1),
        dynamodb: { ...usage(3_000, 2), jitCpuMs: 1_200 },
        stepFunctions: usage(1_000, 1),
        load: usage(400, 1),
      },
      requests: { apiGateway: 0, lambdaInvoke: 0, stepFunctions: 0, dynamodb: 0 },
    });

    // Assess: 6 of its 15 ms per saga; the Node processes, whose threads do not say, have no such figure.
    expect(floor.processes.dynamodb).toMatchObject({ cpuMsPerSaga: 15, jitCpuMs: 1_200, jitCpuMsPerSaga: 6 });
    expect(floor.processes.lambda.jitCpuMsPerSaga).toBeUndefined();
  });

  it('tells HotSpot’s compiler threads by their names, and sums the CPU of the threads asked for', () => {
    expect(['C2 CompilerThre', 'C1 CompilerThre'].map(isJitCompilerThread)).toEqual([true, true]);
    expect(['GC Thread#0', 'VM Thread', 'java', 'node'].map(isJitCompilerThread)).toEqual([false, false, false, false]);

    // This process's threads: all of them ran something, none is a JVM's compiler, and one that has ended has none.
    expect(threadsMs(process.pid, () => true)).toBeGreaterThan(0);
    expect(threadsMs(process.pid, isJitCompilerThread)).toBe(0);
    expect(threadsMs(2 ** 22 + 1, () => true)).toBe(0);
  });

  it('lets a pool of Lambda processes use more cores, until the machine as a whole is the limit', () => {
    // Prepare: the same work spread over two Lambda processes.
    const floor = floorOf({
      cores: 2,
      windowS: 10,
      orderSagas: 200,
      usage: {
        lambda: usage(6_000, 2, 2),
        dynamodb: usage(3_000, 2),
        stepFunctions: usage(1_000, 1),
        load: usage(400, 1),
      },
      requests: { apiGateway: 0, lambdaInvoke: 0, stepFunctions: 0, dynamodb: 0 },
    });

    // Assess: each process alone would allow 66.7/s; all of them together only 38.5/s.
    expect(floor.processes.lambda.ceilingPerSecond).toBe(66.7);
    expect(floor.ceilingPerSecond).toBe(38.5);
    expect(floor.limitedBy).toBe('machine');
  });

  it('states the 1-user ratio as the client’s time over the time inside the Tasks', () => {
    expect(clientToTaskRatio(130, 100)).toBe(1.3);
    expect(clientToTaskRatio(87.5, 70)).toBe(1.25);
    expect(clientToTaskRatio(50, 0)).toBe(0);
  });
});

describe('process CPU counters', () => {
  it('reads utime, stime, cutime and cstime in ms from a stat line whose name holds spaces and parentheses', () => {
    // Prepare: fields 14–17 are 250, 50, 30 and 20 ticks (100 per second).
    const line = '4242 (node (my) app) S 4000 4242 4000 0 -1 4194304 100 0 0 0 250 50 30 20 20 0 11 0 1 2 3';

    // Act
    const stat = parseStat(line);

    // Assess
    expect(stat).toEqual({ pid: 4242, ppid: 4000, comm: 'node (my) app', ownMs: 3_000, endedChildrenMs: 500 });
  });

  it('sums a process and its living descendants, with what their ended children ran', () => {
    // Prepare: 1 → 2 → 3, and 9 elsewhere.
    const stat = (pid: number, ppid: number, ownMs: number, endedChildrenMs = 0): [number, ProcessStat] => [
      pid,
      { pid, ppid, comm: 'node', ownMs, endedChildrenMs },
    ];
    const processes = new Map([stat(1, 0, 100), stat(2, 1, 200, 50), stat(3, 2, 300), stat(9, 0, 1_000)]);

    // Act and assess
    expect(descendantsOf(1, processes).sort()).toEqual([2, 3]);
    expect(subtreeMs(2, processes)).toBe(550);
    expect(subtreeMs(1, processes)).toBe(650);
  });
});

describe('request counts', () => {
  it('takes the requests between two snapshots and tells the emulators apart by port', () => {
    // Prepare
    const before = { '127.0.0.1:8000': 10, '127.0.0.1:3002': 4 };
    const after = { '127.0.0.1:8000': 25, '127.0.0.1:3002': 9, 'localhost:8083': 3, 'example.com': 1 };

    // Act
    const between = requestsBetween(before, after);

    // Assess: the unknown host is counted nowhere.
    expect(requestsByPort(between, { dynamodb: 8000, lambdaInvoke: 3002, stepFunctions: 8083 })).toEqual({
      dynamodb: 15,
      lambdaInvoke: 5,
      stepFunctions: 3,
    });
  });
});

describe('the measured window of a load', () => {
  it('keeps what started from the mark on, over the time from the mark to the end', () => {
    // Prepare: a 30 s load whose window starts 10 s in.
    const load: LoadResult = {
      startedAt: 1_000,
      elapsedMs: 30_000,
      calls: [
        { endpoint: 'login', startedAt: 5_000, ms: 10, status: 200 },
        { endpoint: 'login', startedAt: 12_000, ms: 10, status: 200 },
      ],
      sagas: [
        { saga: 'order', startedAt: 10_999, ms: 50, end: 'confirmed', outcome: 'completed', faults: 0 },
        { saga: 'order', startedAt: 11_000, ms: 50, end: 'confirmed', outcome: 'completed', faults: 0 },
      ],
      acknowledged: { clients: [], deposits: [], orders: [], abandoned: 0 },
    };

    // Act
    const window = loadSince(load, 11_000);

    // Assess
    expect(window.elapsedMs).toBe(20_000);
    expect(window.calls.map((c) => c.startedAt)).toEqual([12_000]);
    expect(window.sagas.map((s) => s.startedAt)).toEqual([11_000]);
  });
});
