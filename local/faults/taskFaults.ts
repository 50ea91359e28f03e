import type { LambdaInvoker } from '../stepfunctions/taskInvoker';

/**
 * Faults in the Task invocations of the local Step Functions endpoint (`POST /_local/faults`), to watch Retry
 * and Catch do their work; the other half of fault injection is in the functions themselves (functionFaults.ts).
 * `error` is what the Task reports (e.g. `Lambda.ServiceException`, `States.Timeout`); with `afterInvoke`
 * the function runs (and writes) first and only its answer is lost — a delivery the Task will repeat.
 * `duplicate` delivers the invocation twice instead, one after the other, and the Task gets the first answer:
 * the at-least-once delivery a function's idempotency must absorb (nothing fails). `executionArn` restricts a
 * fault to the Tasks of one execution, so that faults aimed at different sagas do not meet.
 * Development tooling only: deployed state machines never see it.
 */
export type TaskFault = {
  functionName: string;
  times: number;
  executionArn?: string;
} & ({ duplicate: true } | { duplicate?: false; error: string; afterInvoke?: boolean });

export class TaskFaultPlan {
  private readonly faults: TaskFault[] = [];

  add(fault: TaskFault): void {
    this.faults.push({ ...fault });
  }

  /** Clears every fault, or only those of one execution. */
  clear(executionArn?: string): void {
    const kept = this.faults.filter((fault) => executionArn !== undefined && fault.executionArn !== executionArn);
    this.faults.splice(0, this.faults.length, ...kept);
  }

  /** The faults still planned (with invocations left to strike), of every execution or of one. */
  pending(executionArn?: string): TaskFault[] {
    return this.faults
      .filter((fault) => fault.times > 0 && (executionArn === undefined || fault.executionArn === executionArn))
      .map((fault) => ({ ...fault }));
  }

  /** The next fault planned for this function (and execution), counted down; undefined when none is left. */
  take(functionName: string, executionArn?: string): TaskFault | undefined {
    const fault = this.faults.find(
      (candidate) =>
        candidate.functionName === functionName &&
        candidate.times > 0 &&
        (candidate.executionArn === undefined || candidate.executionArn === executionArn),
    );
    if (fault !== undefined) fault.times -= 1;
    return fault;
  }
}

export function withTaskFaults(invoke: LambdaInvoker, plan: TaskFaultPlan): LambdaInvoker {
  return async (functionName, payload, signal, executionArn) => {
    const fault = plan.take(functionName, executionArn);
    if (fault === undefined) return invoke(functionName, payload, signal, executionArn);
    if (fault.duplicate) {
      const first = await invoke(functionName, payload, signal, executionArn);
      await invoke(functionName, payload, signal, executionArn);
      return first;
    }
    if (fault.afterInvoke) await invoke(functionName, payload, signal, executionArn);
    return { ok: false, error: fault.error, cause: `Injected by the local cloud (${fault.error})` };
  };
}

/** Parses a fault sent to POST /_local/faults, refusing anything malformed. */
export function parseTaskFault(body: string): TaskFault {
  const value = JSON.parse(body) as Record<string, unknown>;
  if (typeof value['functionName'] !== 'string') throw new Error('A fault needs "functionName"');
  const duplicate = value['duplicate'] === true;
  if (!duplicate && typeof value['error'] !== 'string') {
    throw new Error('A fault needs "error" (or "duplicate": true)');
  }
  if (duplicate && (value['error'] !== undefined || value['afterInvoke'] !== undefined)) {
    throw new Error('A "duplicate" fault fails nothing: it takes no "error" or "afterInvoke"');
  }
  const times = value['times'] ?? 1;
  if (!Number.isInteger(times) || (times as number) < 1) throw new Error('"times" must be a positive integer');
  const executionArn = value['executionArn'];
  if (executionArn !== undefined && typeof executionArn !== 'string')
    throw new Error('"executionArn" must be a string');
  const scope = {
    functionName: value['functionName'],
    times: times as number,
    ...(executionArn === undefined ? {} : { executionArn }),
  };
  return duplicate
    ? { ...scope, duplicate: true }
    : { ...scope, error: value['error'] as string, afterInvoke: value['afterInvoke'] === true };
}
