import { request } from 'node:http';
import { FAULT_VARIABLES, faultConfigFrom, type FaultKind } from './faults/settings';
import { LOCAL_STAGE, sdkEnvironment, type LocalCloudPorts } from './config';
import { startProcess, waitUntil, type Managed } from './process';

/** Faults for a chaos run (lib/common/faults.ts): a fraction of the state-changing invocations fails. */
export interface FaultSettings {
  /** The fraction of invocations that get a fault, from 0 to 1. */
  rate: number;
  /** Which kinds; all of them when absent. */
  kinds?: FaultKind[];
  /** Which functions, by key (`billingWithdraw`); all the state-changing ones when absent. */
  functions?: string[];
}

/**
 * The FAULT_* variables for serverless-offline (serverless/offline-faults.js hands them to the functions).
 * Only the `faults` option sets them: any the developer's shell has are dropped, so a cloud never runs with
 * faults by accident.
 */
export function faultEnvironment(
  inherited: NodeJS.ProcessEnv,
  faults: FaultSettings | undefined,
): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...inherited };
  for (const name of FAULT_VARIABLES) delete env[name];
  if (faults === undefined) return env;
  const variables = {
    FAULT_RATE: String(faults.rate),
    ...(faults.kinds === undefined ? {} : { FAULT_KINDS: faults.kinds.join(',') }),
    ...(faults.functions === undefined ? {} : { FAULT_FUNCTIONS: faults.functions.join(',') }),
  };
  // Refused here rather than by every function at its cold start.
  faultConfigFrom(variables);
  return { ...env, ...variables };
}

function answers(port: number, path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET', timeout: 2_000 }, (res) => {
      res.resume();
      resolve(res.statusCode !== undefined);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

/**
 * serverless-offline: API Gateway on `ports.http` (no stage prefix) and the Lambda Invoke API on
 * `ports.lambda`. Handlers see only AWS_* variables of this process, which point the SDK at the local cloud,
 * and the FAULT_* ones of `options.faults`.
 *
 * Handlers run in serverless-offline's own process by default: each function's bundle is loaded once and
 * serves every call, concurrent ones included. `isolatedLambdas` runs each concurrent call in a worker thread
 * of its own, as Lambda gives each one an instance: truer, but every new worker is a cold start (a bundle
 * loaded into a fresh V8 isolate), and under 16 concurrent users the process grew to 6 GB and served a
 * third of the sagas per second (docs/BENCHMARKS.md).
 */
export async function startOffline(
  ports: LocalCloudPorts,
  echo: boolean,
  onLine?: (line: string) => void,
  options: { isolatedLambdas?: boolean; faults?: FaultSettings } = {},
): Promise<Managed> {
  const managed = startProcess(
    'offline',
    'node_modules/.bin/sls',
    [
      'offline',
      'start',
      '--stage',
      LOCAL_STAGE,
      '--noPrependStageInUrl',
      ...(options.isolatedLambdas ? [] : ['--useInProcess']),
      '--httpPort',
      String(ports.http),
      '--lambdaPort',
      String(ports.lambda),
    ],
    {
      echo,
      ...(onLine ? { onLine } : {}),
      env: { ...faultEnvironment(process.env, options.faults), ...sdkEnvironment(ports), SLS_TELEMETRY_DISABLED: '1' },
    },
  );
  await waitUntil(managed, async () => (await answers(ports.http, '/')) && (await answers(ports.lambda, '/')), 180_000);
  return managed;
}
