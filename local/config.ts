/**
 * Ports and paths of the local cloud, in one place. Each can be moved with an environment variable so
 * that a second copy (the test suite's, say) can run beside a developer's `npm start`.
 */
import { availableParallelism } from 'node:os';

const port = (name: string, fallback: number) => Number(process.env[name] ?? fallback);

export interface LocalCloudPorts {
  dynamodb: number;
  http: number;
  lambda: number;
  stepFunctions: number;
}

/**
 * `npm start`'s ports, each the emulator's usual one (.env.offline, for `sls invoke local`, and serverless.yml's
 * serverless-offline ports repeat them; tests/unit/local/config.test.ts holds them to these).
 */
export const DEFAULT_PORTS: Readonly<LocalCloudPorts> = {
  dynamodb: 8000,
  http: 3000,
  lambda: 3002,
  stepFunctions: 8083,
};

/** The variable that moves each port. */
export const PORT_VARIABLES: Readonly<Record<keyof LocalCloudPorts, string>> = {
  dynamodb: 'LOCAL_DYNAMODB_PORT',
  http: 'LOCAL_HTTP_PORT',
  lambda: 'LOCAL_LAMBDA_PORT',
  stepFunctions: 'LOCAL_SFN_PORT',
};

export const defaultPorts = (): LocalCloudPorts => ({
  dynamodb: port(PORT_VARIABLES.dynamodb, DEFAULT_PORTS.dynamodb),
  http: port(PORT_VARIABLES.http, DEFAULT_PORTS.http),
  lambda: port(PORT_VARIABLES.lambda, DEFAULT_PORTS.lambda),
  stepFunctions: port(PORT_VARIABLES.stepFunctions, DEFAULT_PORTS.stepFunctions),
});

/**
 * The ports of a second cloud (a test's, a benchmark's), from its first: DynamoDB, then the API, Lambda and
 * Step Functions. The one place this layout is written.
 */
export const portsFrom = (base: number): LocalCloudPorts => ({
  dynamodb: base,
  http: base + 1,
  lambda: base + 2,
  stepFunctions: base + 3,
});

/** The variables that move `npm start` to these ports (for a child process). */
export const portEnvironment = (ports: LocalCloudPorts): Record<string, string> =>
  Object.fromEntries(
    Object.entries(PORT_VARIABLES).map(([key, name]) => [name, String(ports[key as keyof LocalCloudPorts])]),
  );

/**
 * How many serverless-offline processes serve the functions (local/lambdaPool.mts): one per core the machine
 * gives this process, or LOCAL_LAMBDA_INSTANCES.
 */
export const lambdaInstances = (): number => Number(process.env['LOCAL_LAMBDA_INSTANCES'] ?? availableParallelism());

/** Prometheus, when `npm start -- --monitoring` runs it (local/prometheus.ts). */
export const prometheusPort = () => port('LOCAL_PROMETHEUS_PORT', 9090);

/**
 * The stage the embedded local cloud runs as (`local` is LocalStack's): resources are named with it. It is
 * serverless.yml's default stage, and LOCAL_REGION its default region; LOCAL_ACCOUNT_ID is in its offline saga
 * ARNs. The local cloud needs them before it resolves that file: tests/deploy/offlineStage.test.ts holds them
 * to it.
 */
export const LOCAL_STAGE = 'offline';
export const LOCAL_REGION = 'us-east-1';
/** LocalStack's and DynamoDB Local's conventional account id. */
export const LOCAL_ACCOUNT_ID = '000000000000';

/** Credentials the emulators accept and AWS never would: nothing here can reach a real account. */
export const LOCAL_CREDENTIALS = { AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' } as const;

export const DATA_DIR = process.env['LOCAL_DATA_DIR'] ?? '.local';

/** What a process needs in its environment to talk to this local cloud through the AWS SDK. */
export function sdkEnvironment(ports: LocalCloudPorts): Record<string, string> {
  return {
    ...LOCAL_CREDENTIALS,
    AWS_REGION: LOCAL_REGION,
    AWS_DEFAULT_REGION: LOCAL_REGION,
    AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${ports.dynamodb}`,
    AWS_ENDPOINT_URL_LAMBDA: `http://127.0.0.1:${ports.lambda}`,
    AWS_ENDPOINT_URL_SFN: `http://127.0.0.1:${ports.stepFunctions}`,
  };
}
