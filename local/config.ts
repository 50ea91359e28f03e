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

export const defaultPorts = (): LocalCloudPorts => ({
  dynamodb: port('LOCAL_DYNAMODB_PORT', 8000),
  http: port('LOCAL_HTTP_PORT', 3000),
  lambda: port('LOCAL_LAMBDA_PORT', 3002),
  stepFunctions: port('LOCAL_SFN_PORT', 8083),
});

/**
 * How many serverless-offline processes serve the functions (local/lambdaPool.mts): one per core the machine
 * gives this process, or LOCAL_LAMBDA_INSTANCES.
 */
export const lambdaInstances = (): number => Number(process.env['LOCAL_LAMBDA_INSTANCES'] ?? availableParallelism());

/** Prometheus, when `npm start -- --monitoring` runs it (local/prometheus.ts). */
export const prometheusPort = () => port('LOCAL_PROMETHEUS_PORT', 9090);

/** The stage the embedded local cloud runs as (`local` is LocalStack's): resources are named with it. */
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
