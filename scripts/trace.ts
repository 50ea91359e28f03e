import { parseArgs } from 'node:util';
import { formatTrace } from '../local/console/traceText';
import { defaultTarget, listExecutions, readExecution, readerClient } from '../local/console/stepFunctionsReader';
import { runMain } from './runMain';

/**
 * `npm run trace -- <execution-arn | latest> [--endpoint <url>|aws] [--region <r>]`: the states an execution
 * took, in order, with durations, retries and errors, and how it ended. `latest` is the newest execution of
 * any state machine. Reads the Step Functions API only (AWS_ENDPOINT_URL_SFN, else the local cloud's).
 */
async function main(): Promise<number> {
  const fallback = defaultTarget();
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      endpoint: { type: 'string', default: fallback.endpoint },
      region: { type: 'string', default: fallback.region },
    },
  });
  const wanted = positionals[0];
  if (!wanted) {
    console.error('usage: npm run trace -- <execution-arn | latest> [--endpoint <url>|aws] [--region <region>]');
    return 2;
  }
  const sfn = readerClient({ endpoint: values.endpoint, region: values.region });
  try {
    let executionArn = wanted;
    if (wanted === 'latest') {
      const [newest] = await listExecutions(sfn, { limit: 1 });
      if (!newest) {
        console.error(`No executions at ${values.endpoint}.`);
        return 1;
      }
      executionArn = newest.executionArn;
    }
    const detail = await readExecution(sfn, executionArn);
    const machine = detail.stateMachineArn.split(':').pop() ?? '';
    const color = process.stdout.isTTY && !process.env['NO_COLOR'];
    console.log(formatTrace({ machine, name: detail.name, executionArn }, detail.trace, { color }));
    return 0;
  } finally {
    sfn.destroy();
  }
}

runMain(main);
