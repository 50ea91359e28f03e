import { paginateGetExecutionHistory, paginateListExecutions, type SFNClient } from '@aws-sdk/client-sfn';

/**
 * What the faults did to the sagas, read from the executions' histories: how the Task invocations failed (by
 * error name: `InjectedFault` for a `before` or `after` fault, `Sandbox.Timedout` or a timed-out event for a
 * `timeout`, `RequestInProgress` for a retry that met the idempotency record an `after` or `timeout` fault
 * left in progress), how many were retried, how many were not (caught by a Catch: the saga compensated; or,
 * from the pivot on, the last failure of a step that stopped the execution), and how the executions ended.
 */
export interface FaultEffects {
  executions: number;
  /**
   * `SUCCEEDED`, or `FAILED:<error>`: a saga's answer (InsufficientFunds, OrderFailed, …) or the error of the
   * step it stopped at, waiting for a redrive (Lambda.ServiceException, States.Timeout, …).
   */
  ends: Record<string, number>;
  /** Task invocations. */
  invocations: number;
  /** Failed Task invocations by error name. */
  failures: Record<string, number>;
  /** Failures retried by a Retry; the rest were not (caught by a Catch, or the one that stopped the execution). */
  retried: number;
  caught: number;
  /** Executions that met at least one failure, and of those, how many still SUCCEEDED. */
  executionsWithFailures: number;
  succeededDespiteFailures: number;
}

const increment = (counts: Record<string, number>, key: string) => (counts[key] = (counts[key] ?? 0) + 1);

export async function faultEffects(sfn: SFNClient, stateMachineArns: string[]): Promise<FaultEffects> {
  const executionArns: string[] = [];
  for (const stateMachineArn of stateMachineArns) {
    for await (const page of paginateListExecutions({ client: sfn }, { stateMachineArn })) {
      executionArns.push(...(page.executions ?? []).map((execution) => execution.executionArn!));
    }
  }
  return effectsOf(sfn, executionArns);
}

/** The same, for some executions only (one scenario's). */
export async function effectsOf(sfn: SFNClient, executionArns: string[]): Promise<FaultEffects> {
  const effects: FaultEffects = {
    executions: 0,
    ends: {},
    invocations: 0,
    failures: {},
    retried: 0,
    caught: 0,
    executionsWithFailures: 0,
    succeededDespiteFailures: 0,
  };
  for (const executionArn of executionArns) {
    effects.executions += 1;
    const invocationsBefore = effects.invocations;
    let failed = 0;
    let tasksEntered = 0;
    let end = 'RUNNING';
    for await (const history of paginateGetExecutionHistory({ client: sfn }, { executionArn })) {
      for (const event of history.events ?? []) {
        switch (event.type) {
          case 'TaskStateEntered':
            tasksEntered += 1;
            break;
          case 'LambdaFunctionScheduled':
          case 'TaskScheduled':
            effects.invocations += 1;
            break;
          case 'LambdaFunctionFailed':
          case 'TaskFailed': {
            const details = event.lambdaFunctionFailedEventDetails ?? event.taskFailedEventDetails;
            increment(effects.failures, details?.error ?? 'unknown');
            failed += 1;
            break;
          }
          case 'LambdaFunctionTimedOut':
          case 'TaskTimedOut':
            increment(effects.failures, 'States.Timeout');
            failed += 1;
            break;
          case 'ExecutionSucceeded':
            end = 'SUCCEEDED';
            break;
          case 'ExecutionFailed':
            end = `FAILED:${event.executionFailedEventDetails?.error ?? 'unknown'}`;
            break;
          default:
            break;
        }
      }
    }
    increment(effects.ends, end);
    // Every invocation after a Task state's first is a retry; every failure not retried was caught (or stopped it).
    const retried = effects.invocations - invocationsBefore - tasksEntered;
    effects.retried += retried;
    effects.caught += failed - retried;
    if (failed > 0) {
      effects.executionsWithFailures += 1;
      if (end === 'SUCCEEDED') effects.succeededDespiteFailures += 1;
    }
  }
  return effects;
}
