import { parseArgs } from 'node:util';
import { DescribeStateMachineForExecutionCommand } from '@aws-sdk/client-sfn';
import {
  answersOf,
  awaitClosed,
  executionsWaitingForRedrive,
  redrive,
  waitsForRedrive,
} from '../local/console/redrive';
import { defaultTarget, readerClient } from '../local/console/stepFunctionsReader';
import { runMain } from './runMain';

const USAGE = `usage: npm run redrive -- <execution-arn>            redrive one execution
       npm run redrive -- --all <state-machine-arn>    every execution of that saga waiting for a redrive
options: --endpoint <url>|aws  --region <region>  --wait <seconds, default 60; 0 returns at once>`;

/**
 * `npm run redrive`: RedriveExecution for a saga that stopped at a step that kept failing, once its cause is
 * fixed (the README's runbook). It resumes at that step with the input it had; the steps that succeeded are
 * not run again. Then it waits for the execution to close and prints how it ended.
 */
async function main(): Promise<number> {
  const fallback = defaultTarget();
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      all: { type: 'boolean', default: false },
      endpoint: { type: 'string', default: fallback.endpoint },
      region: { type: 'string', default: fallback.region },
      wait: { type: 'string', default: '60' },
    },
  });
  const target = positionals[0];
  const waitMs = Number(values.wait) * 1000;
  if (target === undefined || positionals.length > 1 || !Number.isFinite(waitMs)) {
    console.error(USAGE);
    return 2;
  }
  const sfn = readerClient({ endpoint: values.endpoint, region: values.region });
  try {
    const executions = values.all ? await executionsWaitingForRedrive(sfn, target) : [target];
    if (executions.length === 0) console.log(`No execution of ${target} waits for a redrive.`);
    let failures = 0;
    for (const executionArn of executions) {
      try {
        const { redriveDate } = await redrive(sfn, executionArn);
        console.log(`redriven  ${executionArn}  (${redriveDate?.toISOString() ?? ''})`);
      } catch (error) {
        failures += 1;
        console.error(
          `refused   ${executionArn}  ${error instanceof Error ? `${error.name}: ${error.message}` : error}`,
        );
      }
    }
    if (waitMs > 0) {
      for (const executionArn of executions) {
        const execution = await awaitClosed(sfn, executionArn, waitMs);
        const error = execution.error === undefined ? '' : `  ${execution.error}`;
        console.log(`${(execution.status ?? '').padEnd(9)} ${executionArn}${error}`);
        // A saga's answer (InsufficientFunds after a redriven compensation, say) is an end; stopping again is not.
        const machine = await sfn.send(new DescribeStateMachineForExecutionCommand({ executionArn }));
        if (waitsForRedrive(execution, answersOf(JSON.parse(machine.definition ?? '{}')))) failures += 1;
      }
      console.log('Details: npm run trace -- <execution-arn>');
    }
    return failures === 0 ? 0 : 1;
  } finally {
    sfn.destroy();
  }
}

runMain(main);
