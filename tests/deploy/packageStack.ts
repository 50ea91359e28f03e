import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { inflateRawSync } from 'node:zlib';

const ROOT = join(__dirname, '..', '..');

/** What `sls package` needs of the project; tests, local tooling and docs stay behind. */
const PROJECT_FILES = [
  'serverless.yml',
  'package.json',
  'tsconfig.json',
  'functions',
  'lib',
  'serverless',
  'state-machines',
];

export interface PackagedStack {
  stage: string;
  /** The `--package` directory: the CloudFormation template and one zip per function. */
  dir: string;
  template: { Resources: Record<string, CfnResource> };
  /** Removes the copy of the project and the package. */
  remove(): void;
}

export interface CfnResource {
  Type: string;
  Properties?: any;
  DependsOn?: string | string[];
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
}

/**
 * `sls package --stage <stage>`, offline with dummy credentials, in a copy of the project of its own:
 * serverless-esbuild works in the service directory (.esbuild, .serverless), so stages packaged side by
 * side in one directory would overwrite each other's bundles.
 */
export async function packageStack(stage: string): Promise<PackagedStack> {
  const work = mkdtempSync(join(tmpdir(), `shop-package-${stage}-`));
  const service = join(work, 'service');
  for (const entry of [...PROJECT_FILES, `.env.${stage}`].filter((name) => existsSync(join(ROOT, name)))) {
    cpSync(join(ROOT, entry), join(service, entry), { recursive: true });
  }
  symlinkSync(realpathSync(join(ROOT, 'node_modules')), join(service, 'node_modules'), 'dir');
  const dir = join(work, 'package');
  // serverless-esbuild leaves a temporary folder per function behind: keep them inside `work`, removed after.
  const temp = join(work, 'tmp');
  mkdirSync(temp);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TMPDIR: temp,
    SLS_TELEMETRY_DISABLED: '1',
    AWS_ACCESS_KEY_ID: 'x',
    AWS_SECRET_ACCESS_KEY: 'x',
  };
  delete env['AWS_PROFILE']; // dummy credentials only: packaging never needs an account
  await promisify(execFile)(
    process.execPath,
    [join(service, 'node_modules', 'osls', 'bin', 'serverless.js'), 'package', '--stage', stage, '--package', dir],
    { cwd: service, env, maxBuffer: 64 * 1024 * 1024 },
  );
  const template = JSON.parse(readFileSync(join(dir, 'cloudformation-template-update-stack.json'), 'utf8'));
  return { stage, dir, template, remove: () => rmSync(work, { recursive: true, force: true }) };
}

/**
 * The files of a zip with their text, read from its central directory (sizes there are right even when the
 * local headers defer them to a data descriptor). Stored and deflated entries only, which is what zips hold.
 */
export function zipTexts(zip: Buffer): Map<string, string> {
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (end < 0) throw new Error('not a zip file');
  const texts = new Map<string, string>();
  let entry = zip.readUInt32LE(end + 16);
  for (let i = 0; i < zip.readUInt16LE(end + 10); i += 1) {
    const method = zip.readUInt16LE(entry + 10);
    const compressedSize = zip.readUInt32LE(entry + 20);
    const nameLength = zip.readUInt16LE(entry + 28);
    const name = zip.toString('utf8', entry + 46, entry + 46 + nameLength);
    const local = zip.readUInt32LE(entry + 42);
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const data = zip.subarray(start, start + compressedSize);
    if (method !== 0 && method !== 8) throw new Error(`${name}: unsupported compression method ${method}`);
    texts.set(name, (method === 8 ? inflateRawSync(data) : data).toString('utf8'));
    entry += 46 + nameLength + zip.readUInt16LE(entry + 30) + zip.readUInt16LE(entry + 32);
  }
  return texts;
}
