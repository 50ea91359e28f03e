import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkBundle } from '../../../local/bundleCache';

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
