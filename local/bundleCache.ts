import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * Whether the functions' bundles in .esbuild/.build (serverless-esbuild's output, as `sls offline start` writes
 * it) can serve another start, so that a start whose sources have not changed does not bundle again: bundling
 * is most of a cold start (docs/BENCHMARKS.md).
 *
 * A bundle is reused when both of these are as they were when the pool's first instance wrote it:
 * - what goes into it: every file under functions/ and lib/, serverless.yml and serverless/ (the esbuild options,
 *   the stage's defines), package-lock.json (the dependencies bundled) and tsconfig.json, by content;
 * - the bundle itself: every file under .esbuild/.build, by size and modification time, so that anything else
 *   writing there (a `sls package` for another stage, a rebuild by the watcher of `--isolated-lambdas`)
 *   invalidates it.
 * The record lives beside the bundle; serverless-esbuild removing the folder (after `sls package`) removes it too.
 */
const SOURCES = ['functions', 'lib', 'serverless', 'serverless.yml', 'package-lock.json', 'tsconfig.json'];
const BUNDLE_DIR = join('.esbuild', '.build');
const RECORD = join('.esbuild', 'bundle-fingerprint.json');

interface Fingerprint {
  sources: string;
  bundle: string;
}

function filesUnder(path: string): string[] {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

function sourcesDigest(root: string): string {
  const hash = createHash('sha256');
  for (const file of SOURCES.flatMap((source) => filesUnder(join(root, source)))) {
    hash.update(relative(root, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

function bundleDigest(root: string): string {
  const hash = createHash('sha256');
  for (const file of filesUnder(join(root, BUNDLE_DIR))) {
    const { size, mtimeMs } = statSync(file);
    hash.update(`${relative(root, file)}\0${size}\0${mtimeMs}\0`);
  }
  return hash.digest('hex');
}

function recorded(root: string): Fingerprint | undefined {
  try {
    return JSON.parse(readFileSync(join(root, RECORD), 'utf8')) as Fingerprint;
  } catch {
    return undefined;
  }
}

export interface BundleCheck {
  /** The bundle on disk was built from the sources as they are now, and nothing has touched it since. */
  fresh: boolean;
  /**
   * After a build that completed: records the bundle now on disk as the one of the sources as they were when
   * this check read them (a source edited during the build then still counts as changed).
   */
  record: () => void;
}

/** Reads the sources once; when the bundle is stale, the old record goes at once, so it vouches for nothing. */
export function checkBundle(root = process.cwd()): BundleCheck {
  const sources = sourcesDigest(root);
  const record = recorded(root);
  const fresh = record !== undefined && record.sources === sources && record.bundle === bundleDigest(root);
  if (!fresh) rmSync(join(root, RECORD), { force: true });
  return {
    fresh,
    record: () => writeFileSync(join(root, RECORD), JSON.stringify({ sources, bundle: bundleDigest(root) })),
  };
}
