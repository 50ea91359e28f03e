import { cpus, release, totalmem } from 'node:os';
import { EMULATORS, ROLES, type Floor, type Role } from './floor';
import type { IdempotencyCost } from './idempotencyCost';
import { ENDPOINTS, type LoadOptions, type LoadResult, type SagaName } from './load';
import type { Overhead } from './overhead';
import { countEnds } from './sagaEnds';
import { figures, table, type Figures } from './stats';

/** What a benchmark run found: bench/results/<date>.json holds one of these. */
export const TARGET = { orderSagasPerSecond: 100, orderP99Ms: 300, overheadShare: 0.05, clientToTaskRatio: 1.3 };

export interface BenchResults {
  date: string;
  machine: { cpus: number; cpuModel: string; memoryGiB: number; os: string; node: string };
  cloud: string;
  users: number;
  durationS: number;
  warmupS: number;
  mix: Pick<LoadOptions, 'ordersPerClient' | 'unaffordableShare' | 'depositSum'>;
  /** Per saga: the figures of those that ended, and how many ended each way (bench/sagaEnds.ts). */
  sagas: Record<SagaName, Figures & { confirmed: number; rejected: number; ends: Record<string, number> }>;
  endpoints: Record<string, Figures>;
  orchestrationOverhead: Record<SagaName, Overhead>;
  /** An order saga's mean time as its client saw it, over the mean time inside its Tasks (the histories). */
  orderAsClientSees: { meanClientMs: number; meanTaskMs: number; ratio: number };
  /** CPU and requests per order saga, and the ceiling they imply (on a cloud of the bench's own only). */
  floor?: Floor & { commands: Record<Role, string[]> };
  idempotency?: IdempotencyCost;
  targets: { orderSagasPerSecond: boolean; orderP99: boolean; overhead: boolean };
}

export function machine(): BenchResults['machine'] {
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    os: `${process.platform} ${release()}`,
    node: process.version,
  };
}

export function summarize(load: LoadResult): Pick<BenchResults, 'sagas' | 'endpoints'> {
  const seconds = load.elapsedMs / 1000;
  const sagas = {} as BenchResults['sagas'];
  for (const name of ['registration', 'order'] as const) {
    const of = load.sagas.filter((s) => s.saga === name);
    // A saga waiting for a redrive did not finish for its client: not in the latencies, counted as an error.
    const finished = of.filter((s) => s.outcome === 'completed' || s.outcome === 'rejected');
    const errors = of.reduce((sum, s) => sum + s.faults, 0) + (of.length - finished.length);
    sagas[name] = {
      ...figures(
        finished.map((s) => s.ms),
        seconds,
        errors,
      ),
      confirmed: of.filter((s) => s.outcome === 'completed').length,
      rejected: of.filter((s) => s.outcome === 'rejected').length,
      ends: countEnds(
        of.map((s) => s.end),
        name,
      ),
    };
  }
  const endpoints: Record<string, Figures> = {};
  for (const endpoint of ENDPOINTS) {
    const of = load.calls.filter((c) => c.endpoint === endpoint);
    if (of.length === 0) continue;
    endpoints[endpoint] = figures(
      of.filter((c) => c.fault === undefined).map((c) => c.ms),
      seconds,
      of.filter((c) => c.fault !== undefined).length,
    );
  }
  return { sagas, endpoints };
}

const row = (name: string, f: Figures) => [
  name,
  f.count,
  f.completedPerSecond,
  f.p50Ms,
  f.p95Ms,
  f.p99Ms,
  f.maxMs,
  f.errors,
];
const HEADER = ['', 'completed', 'per s', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'errors'];

export function printResults(results: BenchResults): void {
  console.log(`\nSagas (${results.users} users, ${results.durationS} s, ${results.cloud})`);
  console.log(table([HEADER, ...(['registration', 'order'] as const).map((name) => row(name, results.sagas[name]))]));
  console.log(
    `  orders: ${results.sagas.order.confirmed} confirmed, ${results.sagas.order.rejected} rejected (not enough money: not an error)`,
  );
  for (const name of ['registration', 'order'] as const)
    console.log(`  ${name}s ended: ${formatEnds(results.sagas[name].ends)}`);
  console.log('\nEndpoints (each HTTP call; a saga endpoint answers when its saga has)');
  console.log(table([HEADER, ...Object.entries(results.endpoints).map(([name, f]) => row(name, f))]));
  console.log('\nOrchestration overhead (execution histories: saga time − time inside Tasks)');
  console.log(
    table([
      ['', 'executions', 'saga ms', 'in tasks ms', 'overhead ms', 'overhead'],
      ...(['registration', 'order'] as const).map((name) => {
        const o = results.orchestrationOverhead[name];
        return [
          name,
          o.executions,
          o.meanSagaMs,
          o.meanTaskMs,
          o.meanOverheadMs,
          `${(o.overheadShare * 100).toFixed(1)}%`,
        ];
      }),
    ]),
  );
  const seen = results.orderAsClientSees;
  console.log(
    `  an order saga as its client sees it: ${seen.meanClientMs} ms (mean) = ${seen.ratio} × the time inside its Tasks` +
      ` (${seen.meanTaskMs} ms); the 1-user target is ≤ ${TARGET.clientToTaskRatio} × (\`--users 1\`)`,
  );
  if (results.floor) printFloor(results.floor);
  if (results.idempotency) {
    const cost = results.idempotency;
    console.log('\nIdempotency middleware, paired run (POST /api/billing/deposit, slices taking turns)');
    console.log(
      table([
        ['', 'calls', 'mean ms', 'p50 ms', 'p99 ms', 'errors'],
        ...(['recorded', 'unkeyed', 'replayed'] as const).map((variant) => {
          const c = cost[variant];
          return [variant, c.calls, c.meanMs, c.p50Ms, c.p99Ms, c.errors];
        }),
      ]),
    );
    console.log(`  the middleware adds ${cost.middlewareMsPerCall} ms per call at the median (recorded − unkeyed)`);
  }
  const met = (ok: boolean) => (ok ? 'met' : 'NOT met');
  console.log(
    `\nTargets: ≥ ${TARGET.orderSagasPerSecond} order sagas/s ${met(results.targets.orderSagasPerSecond)}` +
      ` · order p99 < ${TARGET.orderP99Ms} ms ${met(results.targets.orderP99)}` +
      ` · overhead < ${TARGET.overheadShare * 100}% ${met(results.targets.overhead)}`,
  );
}

/** The floor: each process's CPU per order saga, the ceiling it sets, and the requests per saga. */
export function printFloor(floor: Floor): void {
  console.log(
    `\nThe floor (${floor.windowS} s window, ${floor.orderSagas} order sagas; all the window's work ÷ its order sagas, ` +
      `from each process's own CPU counters)`,
  );
  const ceiling = (value: number) => (Number.isFinite(value) ? value : '–');
  console.log(
    table([
      ['', 'processes', 'CPU ms/saga', 'busy cores', 'can use', 'ceiling sagas/s'],
      ...(Object.keys(ROLES) as Role[]).map((role) => {
        const p = floor.processes[role];
        return [ROLES[role], p.processes, p.cpuMsPerSaga, p.busyCores, p.parallelism, ceiling(p.ceilingPerSecond)];
      }),
      ['all of them', '', floor.cpuMsPerSaga, '', floor.cores, ceiling(floor.machineCeilingPerSecond)],
    ]),
  );
  for (const role of Object.keys(ROLES) as Role[]) {
    const { jitCpuMsPerSaga, cpuMsPerSaga } = floor.processes[role];
    if (jitCpuMsPerSaga === undefined || cpuMsPerSaga === 0) continue;
    const share = jitCpuMsPerSaga / cpuMsPerSaga;
    console.log(
      `  of ${ROLES[role]}'s ${cpuMsPerSaga} ms, ${jitCpuMsPerSaga} (${Math.round(share * 100)}%) were its JIT compiler's` +
        (share >= 0.05
          ? ': still warming up, so its figure is above a warm one (a longer --warmup measures it warm)'
          : ''),
    );
  }
  const by = floor.limitedBy === 'machine' ? `the machine's ${floor.cores} cores together` : ROLES[floor.limitedBy];
  console.log(
    `  ceiling ${ceiling(floor.ceilingPerSecond)} order sagas/s, held by ${by}; reached ${floor.reachedPerSecond}/s ` +
      `(${Math.round(floor.shareOfCeiling * 100)}% of it)`,
  );
  console.log(
    `  requests per order saga: ${(Object.keys(EMULATORS) as (keyof typeof EMULATORS)[])
      .map((name) => `${EMULATORS[name]} ${floor.requestsPerSaga[name]}`)
      .join(' · ')}`,
  );
}

/** One row of docs/BENCHMARKS.md's table. */
export function markdownRow(results: BenchResults, file: string): string {
  const { registration, order } = results.sagas;
  const m = results.machine;
  return (
    `| ${results.date.slice(0, 10)} | ${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB | ${results.users} | ${results.durationS} | ` +
    `${order.completedPerSecond} | ${order.p50Ms} / ${order.p95Ms} / ${order.p99Ms} | ${order.errors} | ` +
    `${registration.completedPerSecond} | ${registration.p50Ms} / ${registration.p99Ms} | ${registration.errors} | ` +
    `${(results.orchestrationOverhead.order.overheadShare * 100).toFixed(1)}% | ` +
    `${results.idempotency?.middlewareMsPerCall ?? '–'} | ${results.orderAsClientSees.ratio} | ` +
    `${results.floor ? `${results.floor.cpuMsPerSaga} | ${results.floor.ceilingPerSecond} (${results.floor.limitedBy})` : '– | –'} | ` +
    `[json](../${file}) |`
  );
}

/** `confirmed 120 · insufficientFunds 30 · unsettled 1`: the ends that happened, in SAGA_ENDS order. */
export function formatEnds(ends: Record<string, number>): string {
  const happened = Object.entries(ends).filter(([, count]) => count > 0);
  return happened.length === 0 ? 'none' : happened.map(([end, count]) => `${end} ${count}`).join(' · ');
}
