import { join } from 'node:path';
import { DATA_DIR, LOCAL_STAGE, defaultPorts, type LocalCloudPorts } from './config';
import { createDeclaredTables, startDynamoDbLocal, wipeDynamoDbData } from './dynamodb';
import { LocalMetrics } from './metrics';
import { startOffline, type FaultSettings } from './offline';
import { assertPortFree, type Managed } from './process';
import { readServerlessConfig } from './serverlessConfig';
import { machinesFromServerlessConfig } from './stepfunctions/machines';
import { startStepFunctionsEndpoint, type StepFunctionsEndpoint } from './stepfunctions/protocol';
import { ExecutionStore } from './stepfunctions/store';

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
  /**
   * Inject faults into the state-changing functions (a chaos run), e.g. `{ rate: 0.1 }` or
   * `{ rate: 1, kinds: ['duplicate'], functions: ['billingDeposit'] }`. Off when absent.
   */
  faults?: FaultSettings;
  /** Where Prometheus will answer (`npm start -- --monitoring`): the console's Metrics page reads it. */
  prometheusUrl?: string;
  log?: (line: string) => void;
}

export interface LocalCloud {
  ports: LocalCloudPorts;
  tables: { created: string[]; kept: string[] };
  /** The ARNs of the state machines the Step Functions API serves. */
  stateMachines: string[];
  stop: () => Promise<void>;
}

/**
 * DynamoDB Local, then serverless-offline (API Gateway + Lambda), each waited for until it answers, then the
 * Step Functions API (in this process), whose Tasks call serverless-offline's Lambda API.
 */
export async function startLocalCloud(options: LocalCloudOptions = {}): Promise<LocalCloud> {
  const ports = options.ports ?? defaultPorts();
  const dataDir = options.dataDir ?? DATA_DIR;
  const log = options.log ?? (() => undefined);
  const echo = options.echo ?? false;
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
  const started: Managed[] = [];
  let stepFunctions: StepFunctionsEndpoint | undefined;
  const stop = async () => {
    // First, so that running executions stop calling functions before serverless-offline goes.
    await stepFunctions?.stop();
    for (const managed of started.reverse()) await managed.stop();
  };
  try {
    const configPromise = readServerlessConfig(LOCAL_STAGE);
    log('starting DynamoDB Local…');
    started.push(await startDynamoDbLocal(ports.dynamodb, options.persist === false ? undefined : dynamoDir, echo));
    const tables = await createDeclaredTables(ports.dynamodb, await configPromise);
    log(`tables: ${tables.created.length} created, ${tables.kept.length} kept`);
    log(
      `starting serverless-offline (bundling the functions)${options.faults ? `, with faults: ${JSON.stringify(options.faults)}` : ''}…`,
    );
    const metrics = new LocalMetrics();
    const machines = machinesFromServerlessConfig(await configPromise);
    metrics.expectMachines(machines);
    started.push(
      await startOffline(ports, echo, metrics.observeOfflineLine, {
        isolatedLambdas: options.isolatedLambdas ?? false,
        ...(options.faults ? { faults: options.faults } : {}),
      }),
    );
    stepFunctions = await startStepFunctionsEndpoint({
      port: ports.stepFunctions,
      lambdaEndpoint: `http://127.0.0.1:${ports.lambda}`,
      machines,
      ...(options.persist === false ? {} : { dataDir: stepFunctionsDir }),
      onClosed: metrics.observeExecution,
      metrics: () => metrics.registry.metrics(),
      ...(options.prometheusUrl ? { monitoring: { prometheusUrl: options.prometheusUrl } } : {}),
      log,
    });
    const stateMachines = stepFunctions.service.stateMachineArns();
    log(`step functions: ${stateMachines.length} state machine(s)`);
    return { ports, tables, stateMachines, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
