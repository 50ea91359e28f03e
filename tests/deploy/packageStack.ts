import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { text } from 'node:stream/consumers';
import yauzl from 'yauzl';

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

/** The files of a zip file with their text. */
export async function zipTexts(path: string): Promise<Map<string, string>> {
  const zip = await yauzl.openPromise(path, { autoClose: false });
  const texts = new Map<string, string>();
  try {
    for await (const entry of zip.eachEntry()) {
      if (entry.fileName.endsWith('/')) continue; // a directory
      texts.set(entry.fileName, await text(await zip.openReadStreamPromise(entry)));
    }
  } finally {
    zip.close();
  }
  return texts;
}
