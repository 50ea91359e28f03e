import { SFNClient } from '@aws-sdk/client-sfn';
import { defaultPorts, portsFrom, sdkEnvironment, type LocalCloudPorts } from '../local/config';
import { startLocalCloud, type LocalCloudOptions } from '../local/localCloud';
import { localCloudSources, type InvariantSources } from './invariants';

/** The local cloud a benchmark runs against: one it started (and stops), or the one `npm start` runs. */
export interface BenchCloud {
  ports: LocalCloudPorts;
  apiUrl: string;
  sfn: SFNClient;
  /** Its tables and sagas' ARNs, as serverless.yml names them for the local stage. */
  sources: InvariantSources;
  /** What ran: an in-memory cloud of the benchmark's own, or a running one. */
  description: string;
  stop: () => Promise<void>;
}

/**
 * Where each command's own cloud goes: its first port, from the environment or the default, beside `npm start`'s
 * (8000…) and the tests' (19000…). The one place these are set; `--port-base` overrides them on the command line.
 */
export const PORT_BASES = {
  bench: { variable: 'BENCH_PORT_BASE', fallback: 18000 },
  chaos: { variable: 'CHAOS_PORT_BASE', fallback: 18100 },
  faults: { variable: 'FAULTS_PORT_BASE', fallback: 18200 },
} as const;

export function portBaseOf(command: keyof typeof PORT_BASES): number {
  const { variable, fallback } = PORT_BASES[command];
  return Number(process.env[variable] ?? fallback);
}

/**
 * Starts a fresh in-memory cloud of the benchmark's own (a clean slate, nothing written to .local/, the
 * developer's data untouched), or, with `reuse`, uses `npm start`'s. Either way this process's AWS SDK is
 * pointed at it.
 */
export async function benchCloud(options: {
  reuse: boolean;
  portBase: number;
  log: (line: string) => void;
  cloud?: Partial<LocalCloudOptions>;
}): Promise<BenchCloud> {
  const ports = options.reuse ? defaultPorts() : portsFrom(options.portBase);
  let stop = async (): Promise<void> => undefined;
  if (!options.reuse) {
    options.log(`starting a local cloud of its own (in memory, ports ${ports.dynamodb}–${ports.stepFunctions})…`);
    const started = Date.now();
    const cloud = await startLocalCloud({ ...options.cloud, fresh: true, persist: false, ports });
    options.log(`local cloud up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    stop = cloud.stop;
  }
  Object.assign(process.env, sdkEnvironment(ports));
  return {
    ports,
    apiUrl: `http://127.0.0.1:${ports.http}`,
    // Endpoint, region and credentials come from the environment just set.
    sfn: new SFNClient({}),
    sources: localCloudSources({ ports }),
    description: options.reuse
      ? `the running local cloud (npm start, API on ${ports.http})`
      : 'a fresh in-memory local cloud of its own',
    stop,
  };
}
