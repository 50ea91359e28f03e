import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

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

const LOCK = join('.esbuild', 'bundling.lock');
const LOCK_POLL_MS = 100;
/** A lock without its holder's pid this long after it was taken: its process died between the two steps. */
const PIDLESS_LOCK_MS = 5_000;

export interface BundleTurn extends BundleCheck {
  /** Lets the next start check the bundle: after `record()`, or after a start that failed. Idempotent. */
  release: () => void;
}

/** The pid in the lock, undefined while its holder has not written it yet. */
function lockHolder(lock: string): number | undefined {
  try {
    return Number(readFileSync(join(lock, 'pid'), 'utf8'));
  } catch {
    return undefined;
  }
}

/** Whether the lock's holder is gone: a start killed while it bundled leaves its lock behind. */
function lockAbandoned(lock: string): boolean {
  const pid = lockHolder(lock);
  if (pid === undefined) {
    try {
      return Date.now() - statSync(lock).mtimeMs > PIDLESS_LOCK_MS;
    } catch {
      return false; // released meanwhile: the next mkdir tells
    }
  }
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * The bundle check, one start at a time: two local clouds starting together (npm test's parallel groups, a
 * second `npm start` on other ports) would otherwise both find the bundle stale and both write .esbuild/.build,
 * each over the other's files while the other's instances load them. The first takes the lock (a directory,
 * which only one `mkdir` creates, holding its pid) and keeps it while it bundles, until `release()`; the others
 * wait for it and then check the bundle again, fresh by then, and reuse it. A fresh bundle needs no lock held.
 * The lock of a process that is gone (killed while it bundled) is taken over; the holder's exit releases it.
 */
export async function bundleTurn(
  root = process.cwd(),
  onWait: (holder: number | undefined) => void = () => undefined,
): Promise<BundleTurn> {
  const lock = join(root, LOCK);
  mkdirSync(dirname(lock), { recursive: true });
  for (let waited = false; ; waited = true) {
    try {
      mkdirSync(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (lockAbandoned(lock)) {
      rmSync(lock, { recursive: true, force: true });
      continue;
    }
    if (!waited) onWait(lockHolder(lock));
    await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
  }
  writeFileSync(join(lock, 'pid'), String(process.pid));
  let held = true;
  const release = () => {
    if (!held) return;
    held = false;
    process.off('exit', release);
    rmSync(lock, { recursive: true, force: true });
  };
  process.on('exit', release);
  const check = checkBundle(root);
  if (check.fresh) release();
  return { ...check, release };
}
