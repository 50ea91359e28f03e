import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { localCloudSources } from '../../bench/invariants';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION, LOCAL_STAGE } from '../../local/config';
import { readServerlessConfig } from '../../local/serverlessConfig';
import { SERVICE, resourceName, stateMachineArn } from '../../local/stackNames';

const ROOT = join(__dirname, '..', '..');

/** `sls <args>` in the project, offline with dummy credentials: its exit code and everything it printed. */
async function sls(...args: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(join(ROOT, 'node_modules', '.bin', 'sls'), args, {
      cwd: ROOT,
      env: { ...process.env, SLS_TELEMETRY_DISABLED: '1', AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'x' },
      timeout: 120_000,
    });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

describe('Stage offline: the local cloud, never deployed', () => {
  it.each([
    ['sls deploy (the default stage)', ['deploy']],
    ['sls deploy --stage offline', ['deploy', '--stage', 'offline']],
    ['sls deploy function', ['deploy', 'function', '-f', 'authSignin']],
  ])(
    'refuses %s with a clear message, before packaging anything',
    async (_case, args) => {
      const { code, output } = await sls(...args);

      expect(code).not.toBe(0);
      expect(output).toContain('The "offline" stage is the local cloud of `npm start`');
      expect(output).toContain('sls deploy --stage dev');
      expect(output).not.toMatch(/Packaging|Compiling with esbuild/);
    },
    150_000,
  );

  it('still resolves the offline stage for the local commands (sls print)', async () => {
    const { code, output } = await sls('print', '--stage', 'offline', '--path', 'provider.stage');

    expect([code, output.trim().split('\n').at(-1)]).toEqual([0, 'offline']);
  }, 150_000);

  it("is the default stage, the one local/config.ts's LOCAL_STAGE names", async () => {
    const { code, output } = await sls('print', '--path', 'provider.stage');

    expect([code, output.trim().split('\n').at(-1)]).toEqual([0, LOCAL_STAGE]);
  }, 150_000);

  it('names its resources and ARNs as local/stackNames.ts does for the tests and the benchmarks', async () => {
    const config = (await readServerlessConfig(LOCAL_STAGE)) as Awaited<ReturnType<typeof readServerlessConfig>> & {
      provider: { region: string };
      custom: { tables: Record<string, string>; sagaArns: Record<string, Record<string, unknown>> };
    };
    const sources = localCloudSources();

    expect([config.service, config.provider.region]).toEqual([SERVICE, LOCAL_REGION]);
    for (const [key, fn] of Object.entries(config.functions)) expect(fn.name).toBe(resourceName(key));
    for (const [key, machine] of Object.entries(config.stepFunctions?.stateMachines ?? {})) {
      expect(machine['name']).toBe(resourceName(key));
    }
    expect(Object.values(config.custom.tables)).toEqual(expect.arrayContaining(Object.values(sources.tables)));
    expect(config.custom.sagaArns[LOCAL_STAGE]).toEqual(sources.stateMachineArns);
    expect(sources.stateMachineArns.order).toBe(stateMachineArn(resourceName('orderSaga')));
    expect(sources.stateMachineArns.order.split(':')[4]).toBe(LOCAL_ACCOUNT_ID);
  }, 150_000);
});
