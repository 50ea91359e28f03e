import { benchCloud } from './cloud';
import { drain } from './drain';
import { faultEffects, type FaultEffects } from './faultEffects';
import { answersAgree } from './answers';
import { checkDataSet, readDataSet, type InvariantResult } from './invariants';
import { DEFAULT_LOAD, runLoad, type LoadOptions, type LoadResult } from './load';
import { progressLine } from './progress';
import { redriveProbe } from './sagaEnds';
import type { FaultSettings } from '../local/offline';
import { scrape } from '../local/prometheusText';

export interface ChaosOptions {
  users: number;
  durationS: number;
  faults: FaultSettings;
  /** How long the sagas still running after the load may take to finish. */
  drainTimeoutS: number;
  portBase: number;
  /** The Step Functions clock (see startLocalCloud): 1, real time, by default. */
  timeScale?: number;
  mix?: Partial<Pick<LoadOptions, 'ordersPerClient' | 'unaffordableShare' | 'depositSum'>>;
  log?: (line: string) => void;
  progress?: boolean;
}

export interface ChaosReport {
  load: LoadResult;
  /** Sagas still RUNNING when the drain gave up (an invariant of its own, reported with the others). */
  stillRunning: number;
  invariants: InvariantResult[];
  holds: boolean;
  /** The faults the functions injected, by kind, as the local cloud's /metrics counted them. */
  injected: Record<string, number>;
  /** What the faults did to the sagas, from the executions' histories. */
  effects: FaultEffects;
}

/**
 * The benchmark's load against a fresh local cloud whose state-changing functions fail on purpose at the
 * configured rate (local/faults/functionFaults.ts), the clients retrying with the same keys as real ones would; then,
 * once every saga has finished, the invariants over the whole data set.
 */
export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const log = options.log ?? (() => undefined);
  const cloud = await benchCloud({
    reuse: false,
    portBase: options.portBase,
    log,
    cloud: { faults: options.faults, ...(options.timeScale === undefined ? {} : { timeScale: options.timeScale }) },
  });
  try {
    log(`load: ${options.users} users for ${options.durationS} s, faults ${JSON.stringify(options.faults)}`);
    const load = await runLoad({
      ...DEFAULT_LOAD,
      ...options.mix,
      baseUrl: cloud.apiUrl,
      users: options.users,
      durationS: options.durationS,
      waitsForRedrive: redriveProbe(cloud.sfn),
      ...(options.progress ? { onProgress: progressLine('chaos') } : {}),
    });
    if (options.progress && process.stdout.isTTY) process.stdout.write('\n');
    const machines = Object.values(cloud.sources.stateMachineArns);
    log('draining: waiting for every saga to finish…');
    const stillRunning = await drain(cloud.sfn, machines, options.drainTimeoutS * 1000, (running) =>
      log(`  ${running} saga(s) still running`),
    );
    log('checking the invariants over the whole data set…');
    const data = await readDataSet(cloud.sources);
    const invariants = [...checkDataSet(data), answersAgree(data, load.acknowledged)];
    log('reading what the faults did from the executions’ histories…');
    const effects = await faultEffects(cloud.sfn, machines);
    const injected = await injectedFaults(cloud.ports.stepFunctions);
    return {
      load,
      stillRunning,
      invariants,
      holds: invariants.every((invariant) => invariant.holds),
      injected,
      effects,
    };
  } finally {
    await cloud.stop();
  }
}

/** Sums `injected_faults_total{function,kind}` of the local cloud's Prometheus endpoint by kind. */
async function injectedFaults(port: number): Promise<Record<string, number>> {
  const byKind: Record<string, number> = {};
  for (const { name, labels, value } of await scrape(`http://127.0.0.1:${port}/metrics`)) {
    const kind = labels['kind'];
    if (name === 'injected_faults_total' && kind !== undefined) byKind[kind] = (byKind[kind] ?? 0) + value;
  }
  return byKind;
}
