/**
 * The Lambda runtime of the local cloud as a pool of serverless-offline processes sharing its two ports
 * (API Gateway and the Lambda Invoke API), so that the functions use every core instead of one thread.
 *
 * Run by local/offline.ts through startProcess (one process group: stopping or killing it stops them all),
 * with plain `node` (Node 22 strips the types; it loads nothing but node:cluster, so it starts in milliseconds):
 *
 *   node local/lambdaPool.mts <instances> <sls arguments…>
 *
 * It is a node:cluster primary. Each instance is a worker running `sls offline start`; their servers listen on
 * the same ports, which the primary holds and whose connections it hands out in turn (cluster's round-robin), so
 * API Gateway's callers and the Lambda API's (the Step Functions endpoint's Tasks, a function invoking
 * another) see one endpoint, and keep-alive connections spread the calls over the instances. Each instance
 * loads a function's bundle once and serves all its calls (serverless-offline's `--useInProcess`): warm
 * modules, the one handler code path.
 *
 * The first instance resolves the configuration and, unless LOCAL_LAMBDA_BUNDLE says `reuse`, bundles the
 * functions; the others boot at the same time and load its bundle once it says it is written (the plugin's
 * AWAIT_BUNDLE and BUNDLED messages, which this primary relays: serverless/offline-pool.js). The primary
 * prints one line when every instance listens on both ports (READY_LINE, with their pids), and exits as soon as
 * one instance exits, taking the others with it: the runtime is up as a whole or not at all.
 */
import cluster, { type Worker } from 'node:cluster';
import { createRequire } from 'node:module';

const { AWAIT_BUNDLE, BUNDLED } = createRequire(process.argv[1]!)('../serverless/offline-pool.js') as {
  AWAIT_BUNDLE: string;
  BUNDLED: string;
};

/** The line that says the pool is up, `lambda pool ready: <pid> <pid> …`, which local/offline.ts waits for. */
const READY_LINE = 'lambda pool ready:';

function main(): void {
  const [size, ...slsArguments] = process.argv.slice(2);
  const instances = Number(size);
  if (!Number.isInteger(instances) || instances < 1) throw new Error(`instances must be a positive integer: ${size}`);
  const ports = ['--httpPort', '--lambdaPort'].map((flag) => Number(slsArguments[slsArguments.indexOf(flag) + 1]));
  const bundle = process.env['LOCAL_LAMBDA_BUNDLE'] ?? 'build';

  // The `.bin` path, not osls's own file: what `ps` shows is then `… sls offline start …`, as before the pool.
  // AsyncLocalStorage on V8's continuation data instead of async hooks (the default from Node 24 on): the local
  // gateway's one (serverless/offline-gateway.js) would otherwise turn on promise hooks for every promise of the
  // instance, for good, from its first authentication. No function relies on the difference.
  cluster.setupPrimary({
    exec: 'node_modules/.bin/sls',
    args: slsArguments,
    execArgv: ['--experimental-async-context-frame'],
  });
  const listening = new Map<Worker, Set<number>>();
  let ready = false;
  let stopping = false;

  // Only the first instance resolves the configuration for the cloud (LOCAL_RESOLVED_CONFIG_FILE) and may bundle;
  // the others await its bundle (or reuse the one there).
  const fork = (first: boolean): void => {
    const worker = cluster.fork(
      first
        ? { LOCAL_LAMBDA_BUNDLE: bundle }
        : { LOCAL_LAMBDA_BUNDLE: bundle === 'reuse' ? 'reuse' : 'await', LOCAL_RESOLVED_CONFIG_FILE: '' },
    );
    listening.set(worker, new Set());
  };
  let bundled = false;
  const awaitingTheBundle = new Set<Worker>();
  cluster.on('message', (worker, message) => {
    if (message === BUNDLED) {
      bundled = true;
      for (const waiting of awaitingTheBundle) waiting.send(BUNDLED);
      awaitingTheBundle.clear();
    } else if (message === AWAIT_BUNDLE) {
      if (bundled) worker.send(BUNDLED);
      else awaitingTheBundle.add(worker);
    }
  });
  const allListening = () => [...listening.values()].every((seen) => ports.every((port) => seen.has(port)));

  cluster.on('listening', (worker, address) => {
    listening.get(worker)?.add(address.port);
    if (ready || !allListening()) return;
    ready = true;
    console.log(`${READY_LINE} ${[...listening.keys()].map((w) => w.process.pid).join(' ')}`);
  });
  cluster.on('exit', (worker, code, signal) => {
    listening.delete(worker);
    if (!stopping) {
      stopping = true;
      console.error(
        `lambda pool: instance ${worker.process.pid} exited (${signal ?? `code ${code}`}); stopping the pool`,
      );
      for (const other of listening.keys()) other.process.kill('SIGKILL');
      process.exitCode = 1;
    }
    if (listening.size === 0) process.exit();
  });
  // SIGTERM or SIGINT: the instances stop themselves (serverless-offline shuts its servers down); wait for them.
  // Stopping the local cloud signals the whole group (local/process.ts); a signal to this process alone is
  // passed on, so that it never leaves them running.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      if (listening.size === 0) process.exit();
      for (const worker of listening.keys()) worker.process.kill(signal);
    });
  }

  fork(true);
  for (let i = 1; i < instances; i += 1) fork(false);
}

main();
