import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DEFAULT_PORTS,
  LOCAL_STAGE,
  defaultPorts,
  portEnvironment,
  portsFrom,
  sdkEnvironment,
} from '../../../local/config';

const ROOT = join(__dirname, '..', '..', '..');

/** `KEY=value` lines of a dotenv file, comments left out. */
function dotenv(file: string): Record<string, string> {
  const lines = readFileSync(join(ROOT, file), 'utf8').split('\n');
  return Object.fromEntries(
    lines
      .filter((line) => line.trim() !== '' && !line.startsWith('#'))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
}

describe('Local cloud configuration (local/config.ts)', () => {
  it(".env.offline points `sls invoke local` at npm start's emulators, as the local cloud's own processes are", () => {
    const { SLS_TELEMETRY_DISABLED, ...sdk } = dotenv(`.env.${LOCAL_STAGE}`);
    const { AWS_DEFAULT_REGION: _sameAsRegion, ...expected } = sdkEnvironment(DEFAULT_PORTS);

    expect(sdk).toEqual(expected);
    expect(SLS_TELEMETRY_DISABLED).toBe('1');
  });

  it("gives serverless.yml's serverless-offline the API and Lambda ports of npm start", () => {
    const yml = readFileSync(join(ROOT, 'serverless.yml'), 'utf8');
    const setting = (name: string) => Number(new RegExp(`^\\s+${name}: (\\d+)$`, 'm').exec(yml)?.[1]);

    expect({ http: setting('httpPort'), lambda: setting('lambdaPort') }).toEqual({
      http: DEFAULT_PORTS.http,
      lambda: DEFAULT_PORTS.lambda,
    });
  });

  it('lays out a second cloud on four consecutive ports from its first', () => {
    expect(portsFrom(23000)).toEqual({ dynamodb: 23000, http: 23001, lambda: 23002, stepFunctions: 23003 });
  });

  it('moves npm start to the ports its variables name', () => {
    const saved = { ...process.env };
    try {
      Object.assign(process.env, portEnvironment(portsFrom(23100)));

      expect(defaultPorts()).toEqual(portsFrom(23100));
    } finally {
      process.env = saved;
    }
  });
});
