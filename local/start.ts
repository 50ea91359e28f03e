import { parseArgs } from 'node:util';
import { startLocalCloud } from './localCloud';
import { isStopping, stopOnSignals } from './process';

/**
 * `npm start`: the whole system on this machine, no Docker, no AWS account. Data is kept under .local/
 * between runs; `npm start -- --fresh` starts empty. Ctrl-C stops everything, at any moment (also while starting).
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
    },
  });
  const started = Date.now();
  const cloud = await startLocalCloud({
    fresh: values.fresh,
    echo: !values.quiet,
    isolatedLambdas: values['isolated-lambdas'],
    timeScale: Number(values['time-scale']),
    log: (line) => console.log(`» ${line}`),
  });
  const { ports } = cloud;
  console.log(`
The local cloud is up (${((Date.now() - started) / 1000).toFixed(1)} s):
  API Gateway        http://localhost:${ports.http}        (e.g. curl http://localhost:${ports.http}/dev/clientService/health)
  Lambda Invoke API  http://localhost:${ports.lambda}
  DynamoDB Local     http://localhost:${ports.dynamodb}        (data in .local/; --fresh starts empty)
  Step Functions     http://localhost:${ports.stepFunctions}        (${cloud.stateMachines.length} state machine(s); executions kept in .local/stepfunctions/)
  Console            http://localhost:${ports.stepFunctions}/       (executions and their traces; npm run trace -- latest)
Press Ctrl-C to stop.`);
}

main().catch((error: unknown) => {
  // Stopped by a signal: what failed was stopped on purpose; the signal's handler exits.
  if (isStopping()) return;
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
