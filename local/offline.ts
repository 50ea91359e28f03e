import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { FAULT_VARIABLE, FAULT_VARIABLES, faultConfigFrom, type FaultKind } from './faults/settings';
import { LOCAL_STAGE, lambdaInstances, sdkEnvironment, type LocalCloudPorts } from './config';
import { startProcess, waitUntil, type Managed } from './process';
import { CONFIG_WRITTEN } from '../serverless/offline-pool';
import type { ServerlessConfig } from './serverlessConfig';

/** Faults for a chaos run (local/faults/functionFaults.ts): a fraction of the state-changing invocations fails. */
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
    [FAULT_VARIABLE.rate]: String(faults.rate),
    ...(faults.kinds === undefined ? {} : { [FAULT_VARIABLE.kinds]: faults.kinds.join(',') }),
    ...(faults.functions === undefined ? {} : { [FAULT_VARIABLE.functions]: faults.functions.join(',') }),
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

/** What the pool (local/lambdaPool.mts) prints once every instance listens, with the instances' pids. */
const POOL_READY = /^lambda pool ready: ([\d ]+)$/;

/**
 * The Lambda runtime as it starts: the pool's process (its group holds every instance), there from the moment
 * startOffline returns so that a failure elsewhere can stop it, and its readiness, with the instances' pids.
 */
export interface LambdaRuntime {
  managed: Managed;
  /** Resolves once every instance listens and both ports answer, to the pids of the serverless-offline instances. */
  ready: Promise<number[]>;
}

export interface OfflineOptions {
  /** Each concurrent Lambda call in a worker thread of its own, in one instance (see below). */
  isolatedLambdas?: boolean;
  faults?: FaultSettings;
  /** How many serverless-offline instances (lambdaInstances() by default); 1 with `isolatedLambdas`. */
  instances?: number;
  /** The bundles in .esbuild/.build are those of the sources (local/bundleCache.ts): no instance bundles. */
  reuseBundle?: boolean;
  /** Where the first instance writes the resolved configuration (serverless/offline-pool.js), reported by `onConfig`. */
  configFile?: string;
  onConfig?: (config: ServerlessConfig) => void;
}

/**
 * serverless-offline: API Gateway on `ports.http` (no stage prefix) and the Lambda Invoke API on
 * `ports.lambda`, served by a pool of serverless-offline processes behind those two ports (local/lambdaPool.mts),
 * one per core by default, so that the functions are not all on one thread. Handlers see only AWS_* variables
 * of this process, which point the SDK at the local cloud, and the FAULT_* ones of `options.faults`.
 *
 * Each instance runs the handlers in its own process (`--useInProcess`): each function's bundle is loaded
 * once per instance and serves every call it gets, concurrent ones included. `isolatedLambdas` runs each
 * concurrent call in a worker thread of its own, as Lambda gives each one an instance: truer, but every new
 * worker is a cold start (a bundle loaded into a fresh V8 isolate), and under 16 concurrent users the process
 * grew to 6 GB and served a third of the sagas per second (docs/BENCHMARKS.md). Worker threads use every core
 * already, so that mode runs one instance, which also keeps serverless-esbuild's watcher (a changed function is
 * bundled again and its next worker loads it); in-process instances never reload a module, so they do not watch.
 */
export function startOffline(
  ports: LocalCloudPorts,
  echo: boolean,
  onLine?: (line: string) => void,
  options: OfflineOptions = {},
): LambdaRuntime {
  const instances = options.isolatedLambdas ? 1 : (options.instances ?? lambdaInstances());
  let ready: number[] | undefined;
  let config: ServerlessConfig | Error | undefined;
  const observe = (line: string) => {
    onLine?.(line);
    const pool = POOL_READY.exec(line);
    if (pool) ready = pool[1]!.trim().split(' ').map(Number);
    else if (config === undefined && options.configFile !== undefined && line.includes(CONFIG_WRITTEN)) {
      try {
        config = JSON.parse(readFileSync(options.configFile, 'utf8')) as ServerlessConfig;
        options.onConfig?.(config);
      } catch (error) {
        config = new Error(`reading the resolved configuration ${options.configFile}: ${String(error)}`);
      }
    }
  };
  const managed = startProcess(
    'offline',
    process.execPath,
    [
      'local/lambdaPool.mts',
      String(instances),
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
      onLine: observe,
      env: {
        ...faultEnvironment(process.env, options.faults),
        ...sdkEnvironment(ports),
        SLS_TELEMETRY_DISABLED: '1',
        LOCAL_LAMBDA_BUNDLE: options.reuseBundle ? 'reuse' : 'build',
        LOCAL_LAMBDA_WATCH: options.isolatedLambdas ? 'on' : 'off',
        LOCAL_RESOLVED_CONFIG_FILE: options.configFile ?? '',
      },
    },
  );
  const isReady = async () =>
    ready !== undefined && (await answers(ports.http, '/')) && (await answers(ports.lambda, '/'));
  const whenReady = async () => {
    await waitUntil(managed, isReady, 180_000);
    // Up without the configuration the cloud waits for (it could not be read): a failure, not a wait forever.
    if (options.configFile !== undefined && (config === undefined || config instanceof Error)) {
      await managed.stop();
      throw (
        config ?? new Error('serverless-offline is up but wrote no resolved configuration (serverless/offline-pool.js)')
      );
    }
    return ready!;
  };
  return { managed, ready: whenReady() };
}
