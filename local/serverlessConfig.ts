import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { LOCAL_CREDENTIALS } from './config';
import { stopOnSignal } from './process';

/** The resolved serverless.yml, as `sls print` sees it for a stage: the one source of tables and machines. */
export interface ServerlessConfig {
  service: string;
  provider?: { timeout?: number };
  functions: Record<string, { name: string; handler: string; timeout?: number }>;
  resources?: { Resources?: Record<string, { Type: string; Properties?: Record<string, unknown> }> };
  stepFunctions?: { stateMachines?: Record<string, Record<string, unknown>> };
}

export async function readServerlessConfig(stage: string): Promise<ServerlessConfig> {
  // A signal (Ctrl-C) while it runs kills it, so that it does not outlive this process (local/process.ts).
  const aborted = new AbortController();
  const forget = stopOnSignal(async () => aborted.abort());
  try {
    const { stdout } = await promisify(execFile)(
      'node_modules/.bin/sls',
      ['print', '--stage', stage, '--format', 'json'],
      {
        env: { ...process.env, ...LOCAL_CREDENTIALS, SLS_TELEMETRY_DISABLED: '1' },
        maxBuffer: 64 * 1024 * 1024,
        signal: aborted.signal,
        killSignal: 'SIGKILL',
      },
    );
    return JSON.parse(stdout) as ServerlessConfig;
  } finally {
    forget();
  }
}
