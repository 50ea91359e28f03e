/**
 * Records the histories the trace unit tests read (tests/fixtures/stepfunctions/histories/): runs the order
 * saga down each scripted path on a local Step Functions endpoint and saves what the API answers.
 * `npm run record-histories && npx prettier --write tests/fixtures` after a change to the
 * endpoint or the saga.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DescribeExecutionCommand,
  DescribeStateMachineForExecutionCommand,
  GetExecutionHistoryCommand,
} from '@aws-sdk/client-sfn';
import { startStepFunctionsEndpoint } from '../local/stepfunctions/protocol';
import { sfnClient, startFakeLambda, unitTestPort } from '../tests/support/fakeLambda';
import { orderScenarios, SAGA_MACHINES, startOrder, waitForExecution } from '../tests/support/sagaScenarios';

const DIR = join(__dirname, '..', 'tests', 'fixtures', 'stepfunctions', 'histories');

async function main(): Promise<void> {
  const lambda = await startFakeLambda(unitTestPort(30));
  const endpoint = await startStepFunctionsEndpoint({
    port: unitTestPort(31),
    lambdaEndpoint: lambda.url,
    machines: SAGA_MACHINES,
    // The stopped-at-confirmation path takes ten retries: minutes at real time.
    timeScale: 0.001,
  });
  const sfn = sfnClient(endpoint.url);
  try {
    for (const [scenario, script] of Object.entries(orderScenarios)) {
      script(lambda);
      const executionArn = await startOrder(sfn, `order-${scenario}`);
      if (scenario === 'running') {
        await waitForExecution(sfn, executionArn, () =>
          lambda.calls.some((call) => call.functionName.endsWith('orderConfirm')),
        );
        await new Promise((resolve) => setTimeout(resolve, 100));
      } else await waitForExecution(sfn, executionArn);
      const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      const { definition } = await sfn.send(new DescribeStateMachineForExecutionCommand({ executionArn }));
      const { events } = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }));
      const { $metadata: _, ...described } = execution;
      const recorded = { execution: described, definition: JSON.parse(definition ?? '{}'), events };
      writeFileSync(join(DIR, `order-${scenario}.json`), `${JSON.stringify(recorded, null, 2)}\n`);
      console.log(`order-${scenario}: ${execution.status}, ${events?.length ?? 0} events`);
    }
  } finally {
    lambda.release({ result: null });
    await endpoint.stop();
    await lambda.stop();
    sfn.destroy();
  }
}

void main();
