import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { lambdaInstances } from '../local/config';
import { isStopping, stopOnSignals } from '../local/process';
import { benchCloud, portBaseOf, type BenchCloud } from './cloud';
import { idempotencyCost, type IdempotencyCost } from './idempotencyCost';
import { clientToTaskRatio, floorOf, type Floor } from './floor';
import { DEFAULT_LOAD, loadSince, type LoadResult } from './load';
import { startLoadProcess } from './loadProcess';
import { orchestrationOverhead } from './overhead';
import { cloudCpu, type CloudCpu } from './processCpu';
import {
  countRequests,
  requestsBetween,
  requestsByPort,
  type RequestCounting,
  type RequestsByHost,
} from './requestCounts';
import { progressLine } from './progress';
import { round } from './stats';
import { machine, markdownRow, printResults, summarize, TARGET, type BenchResults } from './report';

/**
 * `npm run bench`: virtual users drive the public API (register, log in, deposit, orders they can and cannot
 * afford) for a while, then the figures per endpoint and per saga, the orchestration overhead read from the
 * executions' histories, the floor (each process's CPU and each emulator's requests per order saga, from the
 * processes' own counters, and the ceiling they imply) and the idempotency middleware's cost from a paired
 * run. Results are written to
 * bench/results/<date>.json; `--record` also adds a row to docs/BENCHMARKS.md.
 */

async function main(): Promise<void> {
  // Before anything starts: Ctrl-C at any moment stops the cloud this run has started, or is starting.
  stopOnSignals((line) => console.log(`\n» ${line}`));
  const { values } = parseArgs({
    options: {
      users: { type: 'string', default: String(DEFAULT_LOAD.users) },
      duration: { type: 'string', default: String(DEFAULT_LOAD.durationS) },
      warmup: { type: 'string', default: '60' },
      'orders-per-client': { type: 'string', default: String(DEFAULT_LOAD.ordersPerClient) },
      unaffordable: { type: 'string', default: String(DEFAULT_LOAD.unaffordableShare) },
      reuse: { type: 'boolean', default: false },
      'isolated-lambdas': { type: 'boolean', default: false },
      'no-paired': { type: 'boolean', default: false },
      record: { type: 'boolean', default: false },
      'port-base': { type: 'string', default: String(portBaseOf('bench')) },
      // A folder: each Node process of the cloud writes <pid>.cpuprofile of the measured window there.
      'cpu-prof': { type: 'string' },
    },
  });
  const mix = {
    ordersPerClient: Number(values['orders-per-client']),
    unaffordableShare: Number(values.unaffordable),
    depositSum: DEFAULT_LOAD.depositSum,
  };
  const users = Number(values.users);
  const durationS = Number(values.duration);
  const warmupS = Number(values.warmup);
  const log = (line: string) => console.log(`» ${line}`);
  // The floor is measured on a cloud of the bench's own: its processes are this one's children. The Lambda
  // processes count their requests from their start (the counter rides in on NODE_OPTIONS).
  if (values['cpu-prof'] !== undefined) {
    mkdirSync(values['cpu-prof'], { recursive: true });
    process.env['BENCH_CPU_PROFILE_DIR'] = values['cpu-prof'];
  }
  const counting: RequestCounting | undefined = values.reuse ? undefined : await countRequests();
  const inheritedNodeOptions = process.env['NODE_OPTIONS'];
  if (counting) process.env['NODE_OPTIONS'] = counting.nodeOptions;
  let cloud: BenchCloud;
  try {
    cloud = await benchCloud({
      reuse: values.reuse,
      portBase: Number(values['port-base']),
      log,
      cloud: { isolatedLambdas: values['isolated-lambdas'] },
    });
  } catch (error) {
    counting?.close();
    throw error;
  } finally {
    if (inheritedNodeOptions === undefined) delete process.env['NODE_OPTIONS'];
    else process.env['NODE_OPTIONS'] = inheritedNodeOptions;
  }
  const loadProcess = startLoadProcess();
  try {
    // One load: the warm-up (first calls load each function and warm DynamoDB Local's JIT; users register),
    // then, the same users going on, the measured window. The processes' counters are read at its edges.
    log(
      `${warmupS > 0 ? `warming up for ${warmupS} s, then ` : ''}measuring: ${users} users for ${durationS} s` +
        ' (the same users throughout)',
    );
    let markedAt = Date.now();
    let before: Promise<Sample> | undefined;
    const whole = await loadProcess.run(
      { ...DEFAULT_LOAD, ...mix, baseUrl: cloud.apiUrl, users, durationS: warmupS + durationS },
      progressLine('load'),
      {
        atS: warmupS,
        onMark: (at) => {
          markedAt = at;
          if (counting) before = sample(counting, loadProcess.pid);
        },
      },
    );
    const after = counting ? await sample(counting, loadProcess.pid) : undefined;
    const measured = loadSince(whole, markedAt);
    const samples = before && after ? { before: await before, after } : undefined;
    process.stdout.write('\n');
    log('reading the executions’ histories…');
    const { registration: registrationArn, order: orderArn } = cloud.sources.stateMachineArns;
    const orchestration = {
      registration: await orchestrationOverhead(cloud.sfn, registrationArn, measured.startedAt),
      order: await orchestrationOverhead(cloud.sfn, orderArn, measured.startedAt),
    };
    let idempotency: IdempotencyCost | undefined;
    if (!values['no-paired']) {
      log('paired run: the idempotency middleware’s cost per call…');
      idempotency = await idempotencyCost(cloud.apiUrl);
    }
    const summary = summarize(measured);
    const floor = samples
      ? floorFrom(samples.before, samples.after, measured, cloud, summary.sagas.order.count, values['isolated-lambdas'])
      : undefined;
    const orderClientMs = meanOf(
      measured.sagas.filter((s) => s.saga === 'order' && (s.outcome === 'completed' || s.outcome === 'rejected')),
    );
    const date = new Date().toISOString();
    const results: BenchResults = {
      date,
      machine: machine(),
      cloud: `${cloud.description}${values['isolated-lambdas'] ? ', a worker thread per concurrent Lambda call' : ''}`,
      users,
      durationS,
      warmupS,
      mix,
      ...summary,
      orchestrationOverhead: orchestration,
      orderAsClientSees: {
        meanClientMs: round(orderClientMs),
        meanTaskMs: orchestration.order.meanTaskMs,
        ratio: clientToTaskRatio(orderClientMs, orchestration.order.meanTaskMs),
      },
      ...(floor ? { floor } : {}),
      ...(idempotency ? { idempotency } : {}),
      targets: {
        orderSagasPerSecond: summary.sagas.order.completedPerSecond >= TARGET.orderSagasPerSecond,
        orderP99: summary.sagas.order.p99Ms < TARGET.orderP99Ms,
        overhead: orchestration.order.overheadShare < TARGET.overheadShare,
      },
    };
    printResults(results);
    mkdirSync('bench/results', { recursive: true });
    const file = join('bench/results', `${date.replace(/:/g, '').replace(/\..*/, '')}Z.json`);
    writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
    const line = markdownRow(results, file);
    console.log(`\nresults: ${file}\n${line}`);
    if (values.record) {
      if (!readFileSync('docs/BENCHMARKS.md', 'utf8').endsWith('\n')) appendFileSync('docs/BENCHMARKS.md', '\n');
      appendFileSync('docs/BENCHMARKS.md', `${line}\n`);
      console.log('added to docs/BENCHMARKS.md');
    }
  } finally {
    await loadProcess.stop();
    await cloud.stop();
    counting?.close();
  }
}

interface Sample {
  at: number;
  cpu: CloudCpu;
  requests: RequestsByHost;
}

async function sample(counting: RequestCounting, loadPid: number): Promise<Sample> {
  const requests = await counting.snapshot();
  return { at: performance.now(), cpu: cloudCpu(process.pid, loadPid), requests };
}

const meanOf = (sagas: LoadResult['sagas']) => sagas.reduce((sum, s) => sum + s.ms, 0) / Math.max(sagas.length, 1);

/** The floor of the measured window, between two samples of the processes' counters. */
function floorFrom(
  before: Sample,
  after: Sample,
  measured: LoadResult,
  cloud: BenchCloud,
  orderSagas: number,
  isolatedLambdas: boolean,
): Floor & { commands: CloudCpu['processes'] } {
  const cores = machine().cpus;
  const cpuMs = (role: keyof CloudCpu['cpuMs']) => after.cpu.cpuMs[role] - before.cpu.cpuMs[role];
  const lambdaProcesses = after.cpu.processes.lambda.filter((command) => command !== 'esbuild').length;
  const sent = requestsByPort(requestsBetween(before.requests, after.requests), {
    dynamodb: cloud.ports.dynamodb,
    lambdaInvoke: cloud.ports.lambda,
    stepFunctions: cloud.ports.stepFunctions,
    apiGateway: cloud.ports.http,
  });
  const floor = floorOf({
    cores,
    windowS: (after.at - before.at) / 1000,
    orderSagas,
    usage: {
      // Handlers run on the JavaScript thread of each serverless-offline instance of the pool (its primary only
      // hands connections over, so it adds no thread of handlers), or, isolated, on worker threads.
      lambda: {
        processes: lambdaProcesses,
        cpuMs: cpuMs('lambda'),
        parallelism: isolatedLambdas ? cores : Math.min(cores, lambdaInstances()),
      },
      dynamodb: {
        processes: after.cpu.processes.dynamodb.length,
        cpuMs: cpuMs('dynamodb'),
        parallelism: cores,
        jitCpuMs: after.cpu.dynamodbJitMs - before.cpu.dynamodbJitMs,
      },
      stepFunctions: { processes: 1, cpuMs: cpuMs('stepFunctions'), parallelism: 1 },
      load: { processes: 1, cpuMs: cpuMs('load'), parallelism: 1 },
    },
    // The load generator's requests (undici) are not on Node's http channel: they are its own samples.
    requests: { ...sent, apiGateway: measured.calls.length },
  });
  return { ...floor, commands: after.cpu.processes };
}

main().catch((error: unknown) => {
  // Stopped by a signal: what failed was stopped on purpose; the signal's handler exits.
  if (isStopping()) return;
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
