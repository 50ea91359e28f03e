import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleTurn } from './bundleCache';
import { DATA_DIR, defaultPorts, type LocalCloudPorts } from './config';
import { createDeclaredTables, startDynamoDbLocal, wipeDynamoDbData } from './dynamodb';
import { LocalMetrics } from './metrics';
import { startOffline, type FaultSettings } from './offline';
import { assertPortFree, stopOnSignal, type Managed } from './process';
import type { ServerlessConfig } from './serverlessConfig';
import { longestFunctionTimeoutSeconds, machinesFromServerlessConfig } from './stepfunctions/machines';
import { startStepFunctionsEndpoint, type StepFunctionsEndpoint } from './stepfunctions/protocol';
import { ExecutionStore } from './stepfunctions/store';
import { assertTimeScale } from './stepfunctions/timeScale';

export type { FaultSettings };

export interface LocalCloudOptions {
  /** Start with no data (and keep none when `persist` is false). */
  fresh?: boolean;
  /** Keep data on disk under `dataDir` so it survives a restart. */
  persist?: boolean;
  dataDir?: string;
  ports?: LocalCloudPorts;
  /** Print the children's output, prefixed by their name. */
  echo?: boolean;
  /** Each concurrent Lambda call in a worker thread of its own (see startOffline). */
  isolatedLambdas?: boolean;
  /** How many serverless-offline processes serve the functions; one per core (lambdaInstances()) by default. */
  lambdaInstances?: number;
  /**
   * Inject faults into the state-changing functions (a chaos run), e.g. `{ rate: 0.1 }` or
   * `{ rate: 1, kinds: ['duplicate'], functions: ['billingDeposit'] }`. Off when absent.
   */
  faults?: FaultSettings;
  /**
   * Step Functions' clock: every Retry interval and Wait state runs at this fraction of its length (0.01: a
   * hundredth). 1, real time, by default. See local/stepfunctions/timeScale.ts for what it leaves alone.
   */
  timeScale?: number;
  /** Where Prometheus will answer (`npm start -- --monitoring`): the console's Metrics page reads it. */
  prometheusUrl?: string;
  log?: (line: string) => void;
}

export interface LocalCloud {
  ports: LocalCloudPorts;
  tables: { created: string[]; kept: string[] };
  /** The ARNs of the state machines the Step Functions API serves. */
  stateMachines: string[];
  /** Each emulator on its own, for fault tests (tests/chaos/faults.test.ts): kill one, start it again. */
  emulators: Record<Emulator, EmulatorControl>;
  stop: () => Promise<void>;
}

export type Emulator = 'dynamodb' | 'offline' | 'stepFunctions';

export interface EmulatorControl {
  /**
   * Its process id (SIGSTOP/SIGCONT freeze it); undefined for the Step Functions API, which runs in this process.
   * For the Lambda runtime, the pool's process (local/lambdaPool.mts), whose process group holds its instances.
   */
  pid: () => number | undefined;
  /**
   * Every process it runs on: for the Lambda runtime the pool's process and then each serverless-offline
   * instance (freeze them all, or sum their CPU counters); empty for the Step Functions API.
   */
  pids: () => number[];
  /**
   * Ends it at once: SIGKILL for a child, as a crash; the Step Functions API closes its server and leaves its
   * running executions persisted, as a stop of the cloud does.
   */
  kill: () => Promise<void>;
  /**
   * Starts it again, on the same port, with the data it kept (on disk when the cloud persists). The Step
   * Functions API may be given another `timeScale` (a fault test that needs real-time retries after fast ones).
   */
  start: (options?: { timeScale?: number }) => Promise<void>;
}

/**
 * DynamoDB Local and serverless-offline's pool (API Gateway + Lambda), each waited for until it answers, and the
 * Step Functions API (in this process), whose Tasks call serverless-offline's Lambda API.
 */
export async function startLocalCloud(options: LocalCloudOptions = {}): Promise<LocalCloud> {
  const ports = options.ports ?? defaultPorts();
  const dataDir = options.dataDir ?? DATA_DIR;
  const log = options.log ?? (() => undefined);
  const echo = options.echo ?? false;
  let timeScale = options.timeScale ?? 1;
  assertTimeScale(timeScale);
  await assertPortFree(ports.dynamodb, 'DynamoDB Local');
  await assertPortFree(ports.http, 'API Gateway');
  await assertPortFree(ports.lambda, 'Lambda');
  await assertPortFree(ports.stepFunctions, 'Step Functions');

  const dynamoDir = join(dataDir, 'dynamodb');
  const stepFunctionsDir = join(dataDir, 'stepfunctions');
  if (options.fresh) {
    wipeDynamoDbData(dynamoDir);
    ExecutionStore.wipe(stepFunctionsDir);
  }
  const children: Partial<Record<'dynamodb' | 'offline', Managed>> = {};
  let stepFunctions: StepFunctionsEndpoint | undefined;
  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      forget();
      // First, so that running executions stop calling functions before serverless-offline goes.
      await stepFunctions?.stop();
      await children.offline?.stop();
      await children.dynamodb?.stop();
    })();
    return stopped;
  };
  // From here on, a signal (Ctrl-C) stops this cloud, whatever it has started so far; a child still starting
  // is stopped too (startProcess registers each one as it spawns it).
  const forget = stopOnSignal(stop);
  // The configuration (tables, state machines) comes from the pool's first instance, which resolves it anyway
  // (serverless/offline-pool.js): no `sls print` of its own, two seconds of CPU at every start.
  const configDir = mkdtempSync(join(tmpdir(), 'saga-shop-config-'));
  const config = deferred<ServerlessConfig>();
  // Awaited below; a failure before then (DynamoDB Local not starting) must not also be an unhandled rejection.
  config.promise.catch(() => undefined);
  const metrics = new LocalMetrics();
  let instances: number[] = [];
  // Each starts its emulator; the Step Functions endpoint, at the cloud's start, with the Lambda runtime's start
  // for its interrupted executions to wait for (restarted alone, in a fault test, the runtime is up).
  const starts = {
    dynamodb: async () => {
      children.dynamodb = await startDynamoDbLocal(
        ports.dynamodb,
        options.persist === false ? undefined : dynamoDir,
        echo,
      );
    },
    offline: async () => {
      const bundle = await bundleTurn(process.cwd(), (holder) =>
        log(`waiting for the bundle: another start (pid ${holder ?? '?'}) is writing it…`),
      );
      if (stopped !== undefined) {
        bundle.release();
        throw new Error('not starting serverless-offline: the local cloud was stopped while it waited for the bundle');
      }
      const first = children.offline === undefined;
      log(
        `starting serverless-offline (${bundle.fresh ? 'reusing the bundle: the sources are unchanged' : 'bundling the functions'})${options.faults ? `, with faults: ${JSON.stringify(options.faults)}` : ''}…`,
      );
      const runtime = startOffline(ports, echo, metrics.observeOfflineLine, {
        isolatedLambdas: options.isolatedLambdas ?? false,
        ...(options.lambdaInstances === undefined ? {} : { instances: options.lambdaInstances }),
        ...(options.faults ? { faults: options.faults } : {}),
        reuseBundle: bundle.fresh,
        ...(first ? { configFile: join(configDir, 'serverless.json'), onConfig: config.resolve } : {}),
      });
      children.offline = runtime.managed;
      try {
        instances = await runtime.ready;
        if (!bundle.fresh) bundle.record();
      } catch (error) {
        config.reject(error);
        throw error;
      } finally {
        bundle.release();
        rmSync(configDir, { recursive: true, force: true });
      }
    },
    stepFunctions: async (runtimeReady?: Promise<void>) => {
      const machines = machinesFromServerlessConfig(await config.promise);
      metrics.expectMachines(machines);
      stepFunctions = await startStepFunctionsEndpoint({
        port: ports.stepFunctions,
        lambdaEndpoint: `http://127.0.0.1:${ports.lambda}`,
        machines,
        timeScale,
        functionTimeoutSeconds: longestFunctionTimeoutSeconds(await config.promise),
        ...(options.persist === false ? {} : { dataDir: stepFunctionsDir }),
        // A restart's interrupted sagas run again once the Lambda runtime answers: started with the
        // configuration, this endpoint listens seconds before the pool does, and their Tasks' invocations would
        // be refused until their retries ran out (their compensations too).
        ...(runtimeReady === undefined ? {} : { resumeAfter: runtimeReady }),
        onClosed: metrics.observeExecution,
        onKeptRedrivable: metrics.observeKeptExecution,
        metrics: () => metrics.registry.metrics(),
        ...(options.prometheusUrl ? { monitoring: { prometheusUrl: options.prometheusUrl } } : {}),
        log,
      });
    },
  } satisfies Record<Emulator, () => Promise<void>>;
  const control = (emulator: Emulator): EmulatorControl => ({
    pid: () => (emulator === 'stepFunctions' ? undefined : children[emulator]?.child.pid),
    pids: () => {
      if (emulator === 'stepFunctions') return [];
      const pid = children[emulator]?.child.pid;
      return pid === undefined ? [] : emulator === 'offline' ? [pid, ...instances] : [pid];
    },
    kill: async () => {
      if (emulator === 'stepFunctions') await stepFunctions?.stop();
      else await children[emulator]?.kill();
      if (emulator === 'offline') instances = [];
    },
    start: async (restart = {}) => {
      if (stopped !== undefined) throw new Error(`not starting ${emulator}: the local cloud is stopped`);
      if (restart.timeScale !== undefined) {
        if (emulator !== 'stepFunctions') throw new Error(`${emulator} has no time scale`);
        assertTimeScale(restart.timeScale);
        timeScale = restart.timeScale;
      }
      await starts[emulator]();
    },
  });
  // DynamoDB Local's JVM and serverless-offline's boot (and bundling) take most of the start and need nothing
  // of each other: they start together. The tables are created as soon as both DynamoDB Local and the
  // configuration are there, and the Step Functions API starts with the configuration; the cloud is up when
  // all of it is.
  log('starting DynamoDB Local…');
  const dynamoStarting = starts.dynamodb();
  const offlineStarting = starts.offline();
  dynamoStarting.catch(() => undefined);
  offlineStarting.catch(() => undefined);
  try {
    const [, resolved] = await Promise.all([dynamoStarting, config.promise]);
    const tablesCreated = createDeclaredTables(ports.dynamodb, resolved).then((tables) => {
      log(`tables: ${tables.created.length} created, ${tables.kept.length} kept`);
      return tables;
    });
    const [tables] = await Promise.all([tablesCreated, starts.stepFunctions(offlineStarting), offlineStarting]);
    const stateMachines = stepFunctions!.service.stateMachineArns();
    log(`step functions: ${stateMachines.length} state machine(s), time scale ${timeScale}`);
    return {
      ports,
      tables,
      stateMachines,
      emulators: {
        dynamodb: control('dynamodb'),
        offline: control('offline'),
        stepFunctions: control('stepFunctions'),
      },
      stop,
    };
  } catch (error) {
    // What is still starting is stopped with the rest: DynamoDB Local's start is short, and the pool's process
    // is known from the moment it spawns.
    await dynamoStarting.catch(() => undefined);
    await stop();
    throw error;
  }
}

/** A promise with its resolve and reject at hand (Promise.withResolvers, typed for ES2023). */
function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: unknown) => void } {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((yes, no) => {
    resolve = yes;
    reject = no;
  });
  return { promise, resolve, reject };
}
