import {
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  RedriveExecutionCommand,
  paginateListExecutions,
  type DescribeExecutionOutput,
  type ExecutionStatus,
  type SFNClient,
} from '@aws-sdk/client-sfn';

/**
 * Forward recovery of a saga, for `npm run redrive` and the console's Redrive button: which executions wait
 * for a redrive, and RedriveExecution itself. Step Functions API only, so it works locally and on AWS alike.
 */

/** The statuses RedriveExecution accepts. */
const STOPPED: ExecutionStatus[] = ['FAILED', 'TIMED_OUT', 'ABORTED'];

/**
 * The errors a definition's Fail states end with: the saga's own answers (InsufficientFunds, LoginTaken, …),
 * final even though AWS would let them be redriven (the Fail state would only fail again).
 */
export function answersOf(definition: unknown): string[] {
  const states = (definition as { States?: Record<string, { Type?: string; Error?: string }> }).States ?? {};
  return Object.values(states).flatMap((state) => (state.Type === 'Fail' && state.Error ? [state.Error] : []));
}

/** Whether an execution stopped at a step that kept failing (or was stopped, or timed out) and may be redriven. */
export function waitsForRedrive(
  execution: Pick<DescribeExecutionOutput, 'status' | 'error' | 'redriveStatus'>,
  answers: readonly string[],
): boolean {
  if (execution.redriveStatus !== 'REDRIVABLE' || !STOPPED.includes(execution.status as ExecutionStatus)) return false;
  return execution.status !== 'FAILED' || execution.error === undefined || !answers.includes(execution.error);
}

/** Every execution of a state machine that waits for a redrive, oldest first. */
export async function executionsWaitingForRedrive(sfn: SFNClient, stateMachineArn: string): Promise<string[]> {
  const machine = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn }));
  const answers = answersOf(JSON.parse(machine.definition ?? '{}'));
  const waiting: { executionArn: string; startDate: number }[] = [];
  for (const statusFilter of STOPPED) {
    for await (const page of paginateListExecutions({ client: sfn }, { stateMachineArn, statusFilter })) {
      for (const item of page.executions ?? []) {
        const execution = await sfn.send(new DescribeExecutionCommand({ executionArn: item.executionArn }));
        if (waitsForRedrive(execution, answers)) {
          waiting.push({ executionArn: item.executionArn!, startDate: item.startDate?.getTime() ?? 0 });
        }
      }
    }
  }
  return waiting.sort((a, b) => a.startDate - b.startDate).map((execution) => execution.executionArn);
}

/** RedriveExecution; the SDK adds a client token, so a retried call redrives once. */
export async function redrive(sfn: SFNClient, executionArn: string): Promise<{ redriveDate?: Date }> {
  return sfn.send(new RedriveExecutionCommand({ executionArn }));
}

/** Waits until the redriven execution closes again, or `timeoutMs` passes (then it says RUNNING). */
export async function awaitClosed(
  sfn: SFNClient,
  executionArn: string,
  timeoutMs: number,
): Promise<DescribeExecutionOutput> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    const open = execution.status === 'RUNNING' || execution.status === 'PENDING_REDRIVE';
    if (!open || Date.now() > deadline) return execution;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
