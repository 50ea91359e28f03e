import { request } from 'node:http';
import { LOCAL_STAGE, sdkEnvironment, type LocalCloudPorts } from './config';
import { startProcess, waitUntil, type Managed } from './process';

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
 * `ports.lambda`. Handlers see only AWS_* variables of this process, which point the SDK at the local cloud.
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
  isolatedLambdas = false,
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
      ...(isolatedLambdas ? [] : ['--useInProcess']),
      '--httpPort',
      String(ports.http),
      '--lambdaPort',
      String(ports.lambda),
    ],
    {
      echo,
      ...(onLine ? { onLine } : {}),
      env: { ...process.env, ...sdkEnvironment(ports), SLS_TELEMETRY_DISABLED: '1' },
    },
  );
  await waitUntil(managed, async () => (await answers(ports.http, '/')) && (await answers(ports.lambda, '/')), 180_000);
  return managed;
}
