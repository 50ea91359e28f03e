'use strict';
/**
 * What an instance of the local cloud's Lambda pool (local/lambdaPool.mts) needs from `sls offline start`, at
 * stage `offline` only; without these variables (any other command, `sls offline start` by hand) it does
 * nothing.
 *
 * - LOCAL_RESOLVED_CONFIG_FILE=<path>: writes the resolved configuration there, exactly what `sls print
 *   --format json` prints (the same object, serialized the same way), then logs CONFIG_WRITTEN. The local cloud
 *   reads its tables and state machines from it, so the configuration is resolved once per start, not once
 *   more by a `sls print` of its own.
 * - LOCAL_LAMBDA_BUNDLE=reuse: serverless-esbuild does not bundle; the instance runs the bundles already in
 *   .esbuild/.build, which an earlier start with the same sources wrote (local/bundleCache.ts).
 *   LOCAL_LAMBDA_BUNDLE=await: the same, once the pool's first instance, which bundles (`build`), has said it is
 *   done (BUNDLED, over the cluster's IPC channel, relayed by the pool's primary): every instance boots at once and
 *   only the loading of the bundles waits. Only the bundling step is skipped: serverless-esbuild still points
 *   serverless-offline at that folder as it always does. (Its own `skipBuild` option is for prebuilt zip
 *   artifacts, which `sls offline` does not have.)
 * - LOCAL_LAMBDA_WATCH=off: serverless-esbuild does not watch the sources. With `--useInProcess` a rebuilt
 *   bundle is never loaded anyway (the handler's module stays in the process's import cache), so watching
 *   would only cost CPU; a changed function takes a restart, which bundles again because the sources changed.
 *   An instance that bundles then does it in one esbuild build (bundleInOneBuild). And each function's handler
 *   is found once (loadHandlersOnce), as a Lambda container finds it once, in its init phase.
 */
const { renameSync, writeFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { offlineModule } = require('./offline-internals');

const STAGE = 'offline';
const CONFIG_WRITTEN = 'offline-pool: resolved configuration written';
/** The pool's messages about the bundle (local/lambdaPool.mts): asked for by an awaiting instance, and its answer. */
const AWAIT_BUNDLE = 'offline-pool: await the bundle';
const BUNDLED = 'offline-pool: bundled';

/** Resolves once the pool's primary says the first instance has bundled (at once if it already has). */
function bundledByTheFirstInstance() {
  return new Promise((resolve) => {
    const onMessage = (message) => {
      if (message !== BUNDLED) return;
      process.off('message', onMessage);
      resolve();
    };
    process.on('message', onMessage);
    process.send(AWAIT_BUNDLE);
  });
}

/** serverless-esbuild's own options, which it removes before it hands the rest to esbuild (its dist/bundle.js). */
const PLUGIN_OPTIONS = new Set([
  'concurrency',
  'zipConcurrency',
  'exclude',
  'nativeZip',
  'packager',
  'packagePath',
  'watch',
  'keepOutputDirectory',
  'packagerOptions',
  'installExtraArgs',
  'outputFileExtension',
  'outputBuildFolder',
  'outputWorkFolder',
  'nodeExternals',
  'skipBuild',
  'skipRebuild',
  'skipBuildExcludeFns',
  'stripEntryResolveExtensions',
  'disposeContext',
]);

/**
 * serverless-esbuild's bundling step (`this` is its plugin), as one esbuild build with every function's entry
 * point instead of one build per function: esbuild then parses each module the functions share (the AWS SDK,
 * Powertools, lib/) once, not once per function, which took the bundling from about 29 s to 9 s on two cores.
 * Each entry point still gets a bundle of its own (no code splitting), with the same options, at the same
 * path, byte for byte what serverless-esbuild writes. Only for instances that never rebuild: serverless-esbuild's
 * own per-function contexts are what its watcher rebuilds incrementally. An option esbuild does not know (a
 * new serverless-esbuild one missing from PLUGIN_OPTIONS) makes esbuild refuse the build, loudly.
 */
async function bundleInOneBuild() {
  this.prepare();
  const { buildOptions } = this;
  const exclude = [buildOptions.exclude ?? []].flat();
  const options = Object.fromEntries(Object.entries(buildOptions).filter(([name]) => !PLUGIN_OPTIONS.has(name)));
  const extension = buildOptions.outputFileExtension;
  const functionEntries = this.functionEntries;
  const esbuild = createRequire(require.resolve('serverless-esbuild'))('esbuild');
  await esbuild.build({
    ...options,
    external: [...(buildOptions.external ?? []), ...(exclude.includes('*') ? [] : exclude)],
    plugins: this.plugins,
    ...(extension === '.js' ? {} : { outExtension: { '.js': extension } }),
    entryPoints: [...new Set(functionEntries.map(({ entry }) => entry))],
    outbase: '.',
    outdir: this.buildDirPath,
  });
  this.buildCache = {};
  this.buildResults = functionEntries.map(({ entry, func, functionAlias }) => ({
    bundlePath: entry.slice(0, entry.lastIndexOf('.')) + extension,
    func,
    functionAlias,
  }));
}

/**
 * serverless-offline's in-process runner finds the handler again on every invocation: its copy of the Lambda
 * runtime's UserFunction.load resolves the handler's path, looks for a package.json "type" in every folder up
 * from it (a few existsSync and a readFileSync each time) and asks the module cache for the module, which it
 * then finds there. A Lambda container does that once, in its init phase, and calls the same function after;
 * so does this, per handler, for the life of the process (a load that failed is tried again, as a container
 * whose init failed is). Measured as 2 to 3% of a pool instance's CPU. The runner imports `load` from that
 * CommonJS file when it is first needed (the first invocation), and an ES module's import of a CommonJS one
 * takes the exports it has then: so it is replaced here, in the plugin's constructor, before any invocation.
 */
function loadHandlersOnce() {
  const userFunction = offlineModule('lambda/handler-runner/in-process-runner/aws-lambda-ric/UserFunction.js');
  const load = userFunction.load;
  if (typeof load !== 'function' || load.loadsOnce) return;
  const loaded = new Map();
  const loadOnce = async function loadOnce(appRoot, fullHandlerString) {
    const key = `${appRoot}\0${fullHandlerString}`;
    let handler = loaded.get(key);
    if (handler === undefined) {
      handler = await load(appRoot, fullHandlerString);
      loaded.set(key, handler);
    }
    return handler;
  };
  loadOnce.loadsOnce = true;
  userFunction.load = loadOnce;
}

class OfflinePool {
  constructor(serverless, options, { log }) {
    this.serverless = serverless;
    this.log = log;
    if ((options.stage ?? serverless.service.provider.stage) !== STAGE) return;
    const [command, subcommand] = serverless.processedInput?.commands ?? [];
    if (command !== 'offline' || (subcommand !== undefined && subcommand !== 'start')) return;
    const esbuild = serverless.pluginManager.plugins.find(
      (plugin) => plugin.constructor.name === 'EsbuildServerlessPlugin',
    );
    const mode = process.env.LOCAL_LAMBDA_BUNDLE;
    if (mode === 'reuse' || mode === 'await') {
      if (esbuild === undefined)
        throw new serverless.classes.Error(`LOCAL_LAMBDA_BUNDLE=${mode} needs serverless-esbuild`);
      if (mode === 'await' && process.send === undefined)
        throw new serverless.classes.Error('LOCAL_LAMBDA_BUNDLE=await is for an instance of the Lambda pool');
      // serverless-esbuild's hooks call `this.bundle()` (an own property, bound in its constructor).
      esbuild.bundle = async function reuseTheBundle() {
        if (mode === 'await') await bundledByTheFirstInstance();
        this.prepare();
        this.buildResults = [];
      };
    }
    if (process.env.LOCAL_LAMBDA_WATCH === 'off') {
      loadHandlersOnce();
      if (esbuild !== undefined) {
        esbuild.watch = () => undefined;
        if (mode !== 'reuse' && mode !== 'await') esbuild.bundle = bundleInOneBuild;
      }
    }
    if (mode === 'build' && esbuild !== undefined && process.send !== undefined) {
      // The pool's first instance: the others wait for this to load the bundles.
      const bundle = esbuild.bundle;
      esbuild.bundle = async function bundleAndTellThePool(...args) {
        await bundle.apply(this, args);
        process.send(BUNDLED);
      };
    }
    const file = process.env.LOCAL_RESOLVED_CONFIG_FILE;
    // `initialize` runs after every plugin's constructor and before the offline lifecycle (and its bundling).
    if (file) this.hooks = { initialize: () => this.writeConfiguration(file) };
  }

  writeConfiguration(file) {
    // As osls's `print` command does (lib/plugins/print.js): json-cycle, since the object may have cycles.
    const jc = createRequire(require.resolve('osls'))('json-cycle');
    writeFileSync(`${file}.tmp`, jc.stringify(this.serverless.configurationInput, null, '  '));
    renameSync(`${file}.tmp`, file);
    this.log.notice(CONFIG_WRITTEN);
  }
}

module.exports = OfflinePool;
module.exports.CONFIG_WRITTEN = CONFIG_WRITTEN;
module.exports.AWAIT_BUNDLE = AWAIT_BUNDLE;
module.exports.BUNDLED = BUNDLED;
module.exports.loadHandlersOnce = loadHandlersOnce;
