import { setTimeout as sleep } from 'node:timers/promises';
import { paginateListExecutions, type SFNClient } from '@aws-sdk/client-sfn';

/** How many executions of these machines are RUNNING. */
export async function runningExecutions(sfn: SFNClient, stateMachineArns: string[]): Promise<number> {
  let running = 0;
  for (const stateMachineArn of stateMachineArns) {
    for await (const page of paginateListExecutions({ client: sfn }, { stateMachineArn, statusFilter: 'RUNNING' })) {
      running += page.executions?.length ?? 0;
    }
  }
  return running;
}

/**
 * Waits until no saga runs (the retries of the last faults can take a while: a post-pivot step retries for
 * minutes), or `timeoutMs` passes; answers how many still run.
 */
export async function drain(
  sfn: SFNClient,
  stateMachineArns: string[],
  timeoutMs: number,
  onWait: (running: number) => void = () => undefined,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const running = await runningExecutions(sfn, stateMachineArns);
    if (running === 0 || Date.now() > deadline) return running;
    onWait(running);
    await sleep(1_000);
  }
}
