import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleTurn, checkBundle } from '../../../local/bundleCache';

/** A service directory with one source, one dependency lock and one bundle, as serverless-esbuild leaves it. */
function service(): string {
  const root = mkdtempSync(join(tmpdir(), 'bundle-cache-'));
  mkdirSync(join(root, 'functions'), { recursive: true });
  mkdirSync(join(root, '.esbuild', '.build', 'functions'), { recursive: true });
  writeFileSync(join(root, 'functions', 'deposit.ts'), 'export const handler = () => 1;');
  writeFileSync(join(root, 'package-lock.json'), '{}');
  writeFileSync(join(root, 'serverless.yml'), 'service: shop');
  writeFileSync(join(root, '.esbuild', '.build', 'functions', 'deposit.js'), 'exports.handler=()=>1');
  return root;
}

describe('Function: checkBundle', () => {
  let root: string;
  beforeEach(() => {
    root = service();
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('finds no bundle to reuse before one was recorded', () => {
    expect(checkBundle(root).fresh).toBe(false);
  });

  it('reuses a recorded bundle while neither its sources nor its files change', () => {
    checkBundle(root).record();

    expect(checkBundle(root).fresh).toBe(true);
    expect(checkBundle(root).fresh).toBe(true);
  });

  it('bundles again once a source, the lock file or serverless.yml changed', () => {
    for (const [file, content] of [
      ['functions/deposit.ts', 'export const handler = () => 2;'],
      ['package-lock.json', '{"lockfileVersion":3}'],
      ['serverless.yml', 'service: shop2'],
    ] as const) {
      checkBundle(root).record();
      writeFileSync(join(root, file), content);

      expect(checkBundle(root).fresh).toBe(false);
    }
  });

  it('bundles again once a new source appears', () => {
    checkBundle(root).record();
    mkdirSync(join(root, 'lib'));
    writeFileSync(join(root, 'lib', 'money.ts'), 'export const cents = 100;');

    expect(checkBundle(root).fresh).toBe(false);
  });

  it('bundles again once anything else wrote to the bundle (a `sls package` for another stage)', () => {
    checkBundle(root).record();
    const bundle = join(root, '.esbuild', '.build', 'functions', 'deposit.js');
    writeFileSync(bundle, 'exports.handler=()=>1');
    utimesSync(bundle, new Date(), new Date(Date.now() + 5_000));

    expect(checkBundle(root).fresh).toBe(false);
  });

  it('bundles again once the bundle is gone, and forgets the old record at once', () => {
    checkBundle(root).record();
    rmSync(join(root, '.esbuild', '.build'), { recursive: true });

    expect(checkBundle(root).fresh).toBe(false);
    // A build that then fails leaves no record that could vouch for what it left.
    mkdirSync(join(root, '.esbuild', '.build'));
    expect(checkBundle(root).fresh).toBe(false);
  });

  it('counts a source edited while the bundle was being built as changed', () => {
    const check = checkBundle(root);
    writeFileSync(join(root, 'functions', 'deposit.ts'), 'export const handler = () => 3;');
    check.record();

    expect(checkBundle(root).fresh).toBe(false);
  });
});

describe('Function: bundleTurn', () => {
  let root: string;
  const lock = () => join(root, '.esbuild', 'bundling.lock');
  beforeEach(() => {
    root = service();
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('keeps the lock while a stale bundle is written, and leaves none for a fresh one', async () => {
    const stale = await bundleTurn(root);
    expect(stale.fresh).toBe(false);
    expect(readFileSync(join(lock(), 'pid'), 'utf8')).toBe(String(process.pid));
    stale.record();
    stale.release();
    expect(existsSync(lock())).toBe(false);

    const fresh = await bundleTurn(root);
    expect(fresh.fresh).toBe(true);
    expect(existsSync(lock())).toBe(false);
  });

  it('waits while another start holds the lock, then finds the bundle it recorded', async () => {
    const first = await bundleTurn(root);
    const waits: (number | undefined)[] = [];
    let secondDone = false;
    const second = bundleTurn(root, (holder) => waits.push(holder)).then((turn) => {
      secondDone = true;
      return turn;
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(secondDone).toBe(false);
    expect(waits).toEqual([process.pid]);
    first.record();
    first.release();
    expect((await second).fresh).toBe(true);
  });

  it('takes over the lock of a process that is gone', async () => {
    mkdirSync(lock(), { recursive: true });
    // Above the kernel's pid_max (4194304 at most): no process has it.
    writeFileSync(join(lock(), 'pid'), '4194305');
    const turn = await bundleTurn(root);
    expect(readFileSync(join(lock(), 'pid'), 'utf8')).toBe(String(process.pid));
    turn.release();
  });

  it('takes over a lock left without a pid for longer than a start takes to write it', async () => {
    mkdirSync(lock(), { recursive: true });
    const old = new Date(Date.now() - 60_000);
    utimesSync(lock(), old, old);
    const turn = await bundleTurn(root);
    expect(turn.fresh).toBe(false);
    turn.release();
  });
});
