import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { DATA_DIR, prometheusPort } from './config';
import { startLocalCloud } from './localCloud';
import { isStopping, stopOnSignals } from './process';
import { startPrometheus } from './prometheus';

/**
 * `npm start`: the whole system on this machine, no Docker, no AWS account. Data is kept under .local/
 * between runs; `npm start -- --fresh` starts empty; `--monitoring` also runs Prometheus. Ctrl-C stops
 * everything, at any moment (also while starting).
 */
async function main(): Promise<void> {
  // Before anything starts: Ctrl-C while the cloud is still starting stops what has started so far.
  stopOnSignals((line) => console.log(`\n» ${line}`));
  const { values } = parseArgs({
    options: {
      fresh: { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
      'isolated-lambdas': { type: 'boolean', default: false },
      'time-scale': { type: 'string', default: '1' },
      monitoring: { type: 'boolean', default: false },
    },
  });
  const cloud = await startLocalCloud({
    ...(values.monitoring ? { prometheusUrl: `http://127.0.0.1:${prometheusPort()}` } : {}),
    fresh: values.fresh,
    echo: !values.quiet,
    isolatedLambdas: values['isolated-lambdas'],
    timeScale: Number(values['time-scale']),
    log: (line) => console.log(`» ${line}`),
  });
  const { ports } = cloud;
  const prometheus = values.monitoring
    ? await startPrometheus({
        port: prometheusPort(),
        metricsPort: ports.stepFunctions,
        dataDir: join(DATA_DIR, 'prometheus'),
        fresh: values.fresh,
      }).catch(async (error: unknown) => {
        await cloud.stop();
        throw error;
      })
    : undefined;
  // Counted from this process's own start (process.uptime()), so the figure includes loading tsx and this code.
  console.log(`
The local cloud is up, ready in ${process.uptime().toFixed(1)} s:
  API Gateway        http://localhost:${ports.http}        (e.g. curl http://localhost:${ports.http}/dev/clientService/health)
  Lambda Invoke API  http://localhost:${ports.lambda}
  DynamoDB Local     http://localhost:${ports.dynamodb}        (data in .local/; --fresh starts empty)
  Step Functions     http://localhost:${ports.stepFunctions}        (${cloud.stateMachines.length} state machine(s); executions kept in .local/stepfunctions/)
  Console            http://localhost:${ports.stepFunctions}/       (executions and their traces; npm run trace -- latest)
  Metrics            http://localhost:${ports.stepFunctions}/metrics.html  (charts of /metrics and the alerts firing)${
    prometheus
      ? `
  Prometheus         http://localhost:${prometheusPort()}        (monitoring/alerts.yml live; data in .local/prometheus/)`
      : ''
  }
Press Ctrl-C to stop.`);
}

main().catch((error: unknown) => {
  // Stopped by a signal: what failed was stopped on purpose; the signal's handler exits.
  if (isStopping()) return;
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
