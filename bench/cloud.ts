import { ListStateMachinesCommand, SFNClient } from '@aws-sdk/client-sfn';
import { defaultPorts, LOCAL_CREDENTIALS, LOCAL_REGION, sdkEnvironment, type LocalCloudPorts } from '../local/config';
import { startLocalCloud, type LocalCloudOptions } from '../local/localCloud';

/** The local cloud a benchmark runs against: one it started (and stops), or the one `npm start` runs. */
export interface BenchCloud {
  ports: LocalCloudPorts;
  apiUrl: string;
  sfn: SFNClient;
  stateMachineArn: (machine: 'registrationSaga' | 'orderSaga') => Promise<string>;
  /** What ran: an in-memory cloud of the benchmark's own, or a running one. */
  description: string;
  stop: () => Promise<void>;
}

/** Ports of a cloud a benchmark starts for itself, beside `npm start`'s and the tests' (19000…). */
export function ownPorts(base: number): LocalCloudPorts {
  return { dynamodb: base, http: base + 1, lambda: base + 2, stepFunctions: base + 3 };
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
  const ports = options.reuse ? defaultPorts() : ownPorts(options.portBase);
  let stop = async (): Promise<void> => undefined;
  if (!options.reuse) {
    options.log(`starting a local cloud of its own (in memory, ports ${ports.dynamodb}–${ports.stepFunctions})…`);
    const started = Date.now();
    const cloud = await startLocalCloud({ ...options.cloud, fresh: true, persist: false, ports });
    options.log(`local cloud up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    stop = cloud.stop;
  }
  Object.assign(process.env, sdkEnvironment(ports));
  const client = (port: number) => ({
    endpoint: `http://127.0.0.1:${port}`,
    region: LOCAL_REGION,
    credentials: {
      accessKeyId: LOCAL_CREDENTIALS.AWS_ACCESS_KEY_ID,
      secretAccessKey: LOCAL_CREDENTIALS.AWS_SECRET_ACCESS_KEY,
    },
  });
  const sfn = new SFNClient(client(ports.stepFunctions));
  const stateMachineArn = async (machine: string) => {
    const listed = await sfn.send(new ListStateMachinesCommand({}));
    const found = listed.stateMachines?.find((m) => m.name?.endsWith(`-${machine}`));
    if (found?.stateMachineArn === undefined)
      throw new Error(`no state machine named *-${machine} at ${ports.stepFunctions}`);
    return found.stateMachineArn;
  };
  return {
    ports,
    apiUrl: `http://127.0.0.1:${ports.http}`,
    sfn,
    stateMachineArn,
    description: options.reuse
      ? `the running local cloud (npm start, API on ${ports.http})`
      : 'a fresh in-memory local cloud of its own',
    stop,
  };
}
