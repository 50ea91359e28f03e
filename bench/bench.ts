import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { isStopping, stopOnSignals } from '../local/process';
import { benchCloud, portBaseOf, type BenchCloud } from './cloud';
import { idempotencyCost, type IdempotencyCost } from './idempotencyCost';
import { DEFAULT_LOAD, runLoad } from './load';
import { redriveProbe } from './sagaEnds';
import { orchestrationOverhead } from './overhead';
import { progressLine } from './progress';
import { machine, markdownRow, printResults, summarize, TARGET, type BenchResults } from './report';

/**
 * `npm run bench`: virtual users drive the public API (register, log in, deposit, orders they can and cannot
 * afford) for a while, then the figures per endpoint and per saga, the orchestration overhead read from the
 * executions' histories and the idempotency middleware's cost from a paired run. Results are written to
 * bench/results/<date>.json; `--record` also adds a row to docs/BENCHMARKS.md.
 */

async function main(): Promise<void> {
  // Before anything starts: Ctrl-C at any moment stops the cloud this run has started, or is starting.
  stopOnSignals((line) => console.log(`\n» ${line}`));
  const { values } = parseArgs({
    options: {
      users: { type: 'string', default: String(DEFAULT_LOAD.users) },
      duration: { type: 'string', default: String(DEFAULT_LOAD.durationS) },
      warmup: { type: 'string', default: '10' },
      'orders-per-client': { type: 'string', default: String(DEFAULT_LOAD.ordersPerClient) },
      unaffordable: { type: 'string', default: String(DEFAULT_LOAD.unaffordableShare) },
      reuse: { type: 'boolean', default: false },
      'isolated-lambdas': { type: 'boolean', default: false },
      'no-paired': { type: 'boolean', default: false },
      record: { type: 'boolean', default: false },
      'port-base': { type: 'string', default: String(portBaseOf('bench')) },
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
  const cloud: BenchCloud = await benchCloud({
    reuse: values.reuse,
    portBase: Number(values['port-base']),
    log,
    cloud: { isolatedLambdas: values['isolated-lambdas'] },
  });
  try {
    const load = (seconds: number, label: string) =>
      runLoad({
        ...DEFAULT_LOAD,
        ...mix,
        baseUrl: cloud.apiUrl,
        users,
        durationS: seconds,
        waitsForRedrive: redriveProbe(cloud.sfn),
        onProgress: progressLine(label),
      });
    if (warmupS > 0) {
      log(`warming up for ${warmupS} s (not measured: first calls load each function and warm DynamoDB Local's JIT)`);
      await load(warmupS, 'warm-up');
    }
    log(`measuring: ${users} users for ${durationS} s`);
    const measured = await load(durationS, 'measured');
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
    await cloud.stop();
  }
}

main().catch((error: unknown) => {
  // Stopped by a signal: what failed was stopped on purpose; the signal's handler exits.
  if (isStopping()) return;
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
