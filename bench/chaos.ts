import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { isStopping, stopOnSignals } from '../local/process';
import { runChaos } from './chaosRun';
import { portBaseOf } from './cloud';
import { formatInvariants } from './invariants';
import { formatEnds, machine, summarize } from './report';
import { FAULT_KINDS, type FaultKind } from '../local/faults/settings';

/**
 * `npm run chaos`: the benchmark's load against a fresh local cloud whose functions fail on purpose (before
 * or after their write, by timing out, or by being delivered twice) at `--rate`, then the invariants over the
 * whole data set. Exits 1 when any invariant breaks.
 */
async function main(): Promise<void> {
  // Before anything starts: Ctrl-C at any moment stops the cloud this run has started, or is starting.
  stopOnSignals((line) => console.log(`\n» ${line}`));
  const { values } = parseArgs({
    options: {
      users: { type: 'string', default: '8' },
      duration: { type: 'string', default: '120' },
      rate: { type: 'string', default: '0.1' },
      kinds: { type: 'string', default: FAULT_KINDS.join(',') },
      'drain-timeout': { type: 'string', default: '600' },
      'port-base': { type: 'string', default: String(portBaseOf('chaos')) },
      'time-scale': { type: 'string', default: '1' },
    },
  });
  const started = Date.now();
  const kinds = values.kinds.split(',').map((kind) => kind.trim()) as FaultKind[];
  const report = await runChaos({
    users: Number(values.users),
    durationS: Number(values.duration),
    faults: { rate: Number(values.rate), kinds },
    drainTimeoutS: Number(values['drain-timeout']),
    portBase: Number(values['port-base']),
    timeScale: Number(values['time-scale']),
    log: (line) => console.log(`» ${line}`),
    progress: true,
  });
  const { sagas } = summarize(report.load);
  const faults = report.load.calls.filter((call) => call.fault !== undefined).length;
  console.log(
    `\nLoad: ${sagas.order.confirmed + sagas.order.rejected} order sagas (${sagas.order.confirmed} confirmed, ` +
      `${sagas.order.rejected} otherwise ended), ${sagas.registration.confirmed} registrations; clients saw ${faults} ` +
      `faulty answers and retried them; ${report.load.acknowledged.abandoned} call(s) given up.`,
  );
  for (const name of ['registration', 'order'] as const)
    console.log(`  ${name}s ended: ${formatEnds(sagas[name].ends)}`);
  console.log(`Injected faults, by kind: ${JSON.stringify(report.injected)}`);
  const { effects } = report;
  console.log(
    `What they did (execution histories): ${effects.invocations} Task invocations, failures by error ` +
      `${JSON.stringify(effects.failures)}; ${effects.retried} retried, ${effects.caught} caught; ` +
      `${effects.executionsWithFailures} of ${effects.executions} executions met a failure, ` +
      `${effects.succeededDespiteFailures} of those still succeeded; ends ${JSON.stringify(effects.ends)}.`,
  );
  console.log(`\nInvariants\n${formatInvariants(report.invariants)}`);
  console.log(report.holds ? '\nAll invariants hold.' : '\nAN INVARIANT IS BROKEN.');
  const date = new Date().toISOString();
  const file = join('bench/results', `chaos-${date.replace(/:/g, '').replace(/\..*/, '')}Z.json`);
  mkdirSync('bench/results', { recursive: true });
  const { calls: _calls, sagas: _sagas, acknowledged: _acknowledged, ...load } = report.load;
  writeFileSync(
    file,
    `${JSON.stringify(
      {
        date,
        machine: machine(),
        options: values,
        elapsedS: Math.round((Date.now() - started) / 1000),
        load: { ...load, faultAnswers: faults, abandoned: report.load.acknowledged.abandoned },
        sagas,
        injected: report.injected,
        effects,
        stillRunning: report.stillRunning,
        invariants: report.invariants,
        holds: report.holds,
      },
      null,
      2,
    )}\n`,
  );
  console.log(`results: ${file} (${Math.round((Date.now() - started) / 1000)} s in all)`);
  process.exit(report.holds ? 0 : 1);
}

main().catch((error: unknown) => {
  // Stopped by a signal: what failed was stopped on purpose; the signal's handler exits.
  if (isStopping()) return;
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(2);
});
