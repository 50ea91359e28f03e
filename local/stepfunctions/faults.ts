import type { LambdaInvoker } from './taskInvoker';

/**
 * Faults the local cloud can inject into Task invocations, to watch Retry and Catch do their work:
 * `error` is what the Task reports (e.g. `Lambda.ServiceException`, `States.Timeout`); with `afterInvoke`
 * the function runs (and writes) first and only its answer is lost — a delivery the Task will repeat.
 * Development tooling only: deployed state machines never see it.
 */
export interface Fault {
  functionName: string;
  error: string;
  times: number;
  afterInvoke?: boolean;
}

export class FaultPlan {
  private readonly faults: Fault[] = [];

  add(fault: Fault): void {
    this.faults.push({ ...fault });
  }

  clear(): void {
    this.faults.length = 0;
  }

  /** The next fault planned for this function, counted down; undefined when none is left. */
  take(functionName: string): Fault | undefined {
    const fault = this.faults.find((candidate) => candidate.functionName === functionName && candidate.times > 0);
    if (fault !== undefined) fault.times -= 1;
    return fault;
  }
}

export function withFaults(invoke: LambdaInvoker, plan: FaultPlan): LambdaInvoker {
  return async (functionName, payload, signal) => {
    const fault = plan.take(functionName);
    if (fault === undefined) return invoke(functionName, payload, signal);
    if (fault.afterInvoke) await invoke(functionName, payload, signal);
    return { ok: false, error: fault.error, cause: `Injected by the local cloud (${fault.error})` };
  };
}

/** Parses a fault sent to POST /_local/faults, refusing anything malformed. */
export function parseFault(body: string): Fault {
  const value = JSON.parse(body) as Partial<Fault>;
  if (typeof value.functionName !== 'string' || typeof value.error !== 'string') {
    throw new Error('A fault needs "functionName" and "error"');
  }
  const times = value.times ?? 1;
  if (!Number.isInteger(times) || times < 1) throw new Error('"times" must be a positive integer');
  return { functionName: value.functionName, error: value.error, times, afterInvoke: value.afterInvoke === true };
}
