import { randomUUID } from 'node:crypto';
import { ExecutionStatus as EXECUTION_STATUSES } from '@aws-sdk/client-sfn';
import { LocalStateMachine, type StateMachineDefinition } from './interpreter';
import {
  DEFAULT_TASK_TIMEOUT_SECONDS,
  failExecution,
  redrivePoint,
  runExecution,
  type RunFrom,
  type RunningExecution,
} from './execution';
import { executionArn, parseExecutionArn, toStateMachine, type MachineDefinition, type StateMachine } from './machines';
import { ExecutionStore, type ExecutionRecord } from './store';
import type { LambdaInvoker } from './taskInvoker';
import { testState, TestStateRefused } from './testState';
import { assertTimeScale } from './timeScale';

/** An error of the Step Functions API, sent as `{"__type": name, "message": …}`. */
export class StepFunctionsError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
    this.name = type;
  }
}

export interface StepFunctionsServiceOptions {
  machines: MachineDefinition[];
  invoke: LambdaInvoker;
  /** Where executions are kept between runs; nothing is kept without it. */
  dataDir?: string;
  taskTimeoutSeconds?: number;
  /** Retry intervals and Wait states run at this fraction of their length (1, real time, by default). */
  timeScale?: number;
  /**
   * The longest timeout of the functions the Tasks call, in seconds: how long an idempotency lock can be held,
   * which the RequestInProgress retriers must outlast at any time scale. The Task timeout by default.
   */
  functionTimeoutSeconds?: number;
  /** Called once when an execution closes (succeeded, failed, aborted): the local metrics listen here. */
  onClosed?: (record: ExecutionRecord) => void;
  /**
   * Called once, as the service is created, for each closed execution a previous run kept (`dataDir`) that may
   * still be redriven: the local metrics count those that wait for a redrive from the first scrape on.
   */
  onKeptRedrivable?: (record: ExecutionRecord) => void;
}

type Request = Record<string, unknown>;

/** The statuses ListExecutions filters by (PENDING_REDRIVE is refused before, as AWS does without a Map Run). */
const STATUSES: string[] = Object.values(EXECUTION_STATUSES);
const REDRIVE_FILTERS = ['REDRIVEN', 'NOT_REDRIVEN'];
/** AWS's limits on redriving: within 14 days of the stop, below 24,999 history events. */
const REDRIVABLE_PERIOD_MS = 14 * 24 * 3600 * 1000;
const MAX_REDRIVABLE_EVENTS = 24_999;
/** RedriveExecution answers the last 10 client tokens, each for 15 minutes, as it did the first time. */
const KEPT_REDRIVE_TOKENS = 10;
const REDRIVE_TOKEN_MS = 15 * 60 * 1000;
const CLIENT_TOKEN = /^[\x21-\x7e]{1,64}$/;
/** AWS's rule for state machine and execution names: 1 to 80 characters, none of these. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what AWS forbids here
const VALID_NAME = /^[^\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]{1,80}$/u;
const MAX_INPUT_BYTES = 256 * 1024;
const seconds = (epochMs: number | undefined) => (epochMs === undefined ? undefined : epochMs / 1000);

/** What ListExecutions shows of an execution, and DescribeExecution starts from. */
const executionSummary = (record: ExecutionRecord) => ({
  executionArn: record.executionArn,
  stateMachineArn: record.stateMachineArn,
  name: record.name,
  status: record.status,
  startDate: seconds(record.startDate),
  stopDate: seconds(record.stopDate),
  redriveCount: record.redriveCount ?? 0,
  redriveDate: seconds(record.redriveDate),
});

/** Why RedriveExecution would refuse this execution (AWS's wording), or undefined when it may be redriven. */
function notRedrivableReason(record: ExecutionRecord, now: number): string | undefined {
  if (record.status === 'RUNNING' || record.status === 'SUCCEEDED') {
    return `Execution is ${record.status} and cannot be redriven`;
  }
  if (record.history.length >= MAX_REDRIVABLE_EVENTS) return 'Execution history event limit exceeded';
  if (now - (record.stopDate ?? now) > REDRIVABLE_PERIOD_MS) return 'Execution redrivable period exceeded';
  return undefined;
}

/** DescribeExecution's redrive fields: a reason only when it cannot be redriven. */
function redriveStatus(record: ExecutionRecord) {
  const reason = notRedrivableReason(record, Date.now());
  return reason === undefined
    ? { redriveStatus: 'REDRIVABLE' }
    : { redriveStatus: 'NOT_REDRIVABLE', redriveStatusReason: reason };
}

function field(request: Request, name: string): string {
  const value = request[name];
  if (typeof value !== 'string' || value === '') {
    throw new StepFunctionsError('ValidationException', `1 validation error detected: '${name}' must not be null`);
  }
  return value;
}

/** `maxResults`/`nextToken` paging: the token is the offset of the next page, opaque to the caller. */
function page<T>(items: T[], request: Request): { items: T[]; nextToken?: string } {
  const maxResults = Number(request['maxResults'] ?? 0) || 100;
  if (maxResults < 0 || maxResults > 1000) {
    throw new StepFunctionsError('ValidationException', 'maxResults must be between 0 and 1000');
  }
  let offset = 0;
  if (typeof request['nextToken'] === 'string') {
    offset = Number(Buffer.from(request['nextToken'], 'base64url').toString('utf8'));
    if (!Number.isInteger(offset) || offset < 0) throw new StepFunctionsError('InvalidToken', 'Invalid nextToken');
  }
  const end = offset + maxResults;
  return {
    items: items.slice(offset, end),
    ...(end < items.length ? { nextToken: Buffer.from(String(end)).toString('base64url') } : {}),
  };
}

const MACHINE_SETTINGS = {
  loggingConfiguration: { level: 'OFF', includeExecutionData: false },
  tracingConfiguration: { enabled: false },
};

/**
 * The Step Functions API over the declared state machines: executions start at once and run in this
 * process; those a stop interrupted run again from where their run started (the start, or the state a
 * redrive resumed at) when the service is next created.
 */
export class StepFunctionsService {
  private readonly machines = new Map<string, StateMachine>();
  private readonly running = new Map<string, RunningExecution>();
  private readonly store: ExecutionStore;
  private readonly taskTimeoutSeconds: number;
  private readonly timeScale: number;

  constructor(private readonly options: StepFunctionsServiceOptions) {
    this.timeScale = options.timeScale ?? 1;
    assertTimeScale(this.timeScale);
    const created = Date.now();
    for (const declared of options.machines) {
      const machine = toStateMachine(declared, created);
      try {
        // A copy: the library annotates the definition it is given (QueryLanguage), and we serve the original.
        new LocalStateMachine(JSON.parse(JSON.stringify(machine.definition)) as StateMachineDefinition);
      } catch (error) {
        throw new Error(`State machine ${machine.name}: ${error instanceof Error ? error.message : String(error)}`);
      }
      this.machines.set(machine.arn, machine);
    }
    this.store = new ExecutionStore(options.dataDir);
    const now = Date.now();
    for (const record of this.store.all()) {
      if (record.status !== 'RUNNING' && notRedrivableReason(record, now) === undefined)
        options.onKeptRedrivable?.(record);
    }
    this.taskTimeoutSeconds = options.taskTimeoutSeconds ?? DEFAULT_TASK_TIMEOUT_SECONDS;
  }

  stateMachineArns(): string[] {
    return [...this.machines.keys()];
  }

  /**
   * Executions a stop left RUNNING: run them again from where their run started (the start, or the state a
   * redrive resumed at), with the same input; their Tasks are idempotent.
   */
  resumeInterrupted(): string[] {
    const interrupted = this.store.all().filter((record) => record.status === 'RUNNING');
    for (const record of interrupted) {
      const machine = this.machines.get(record.stateMachineArn);
      if (machine)
        this.start(machine, record, { continued: true, ...(record.runFrom ? { from: record.runFrom } : {}) });
      else {
        failExecution(record, (changed) => this.store.save(changed), {
          error: 'States.Runtime',
          cause: `Interrupted by a stop of the local cloud, and its state machine ${record.machineName} no longer exists.`,
        });
      }
    }
    return interrupted.map((record) => record.executionArn);
  }

  /** Stops running executions without closing them (they resume on the next start) and saves everything. */
  async close(): Promise<void> {
    const running = [...this.running.values()];
    for (const execution of running) execution.interrupt();
    await Promise.all(running.map((execution) => execution.done));
    await this.store.flush();
  }

  /** Settles when every execution running now has closed: for tests. */
  async settled(): Promise<void> {
    await Promise.all([...this.running.values()].map((execution) => execution.done));
    await this.store.flush();
  }

  readonly actions: Record<string, (request: Request) => unknown> = {
    ListStateMachines: (request) => {
      const { items, nextToken } = page([...this.machines.values()], request);
      return {
        stateMachines: items.map((machine) => ({
          stateMachineArn: machine.arn,
          name: machine.name,
          type: 'STANDARD',
          creationDate: seconds(machine.creationDate),
        })),
        nextToken,
      };
    },

    DescribeStateMachine: (request) => {
      const machine = this.machine(field(request, 'stateMachineArn'));
      return {
        stateMachineArn: machine.arn,
        name: machine.name,
        status: 'ACTIVE',
        definition: JSON.stringify(machine.definition),
        roleArn: machine.roleArn,
        type: 'STANDARD',
        creationDate: seconds(machine.creationDate),
        ...MACHINE_SETTINGS,
      };
    },

    StartExecution: (request) => {
      const machine = this.machine(field(request, 'stateMachineArn'));
      const name = request['name'] === undefined ? randomUUID() : String(request['name']);
      if (!VALID_NAME.test(name)) throw new StepFunctionsError('InvalidName', `Invalid Name: '${name}'`);
      const input = request['input'] === undefined ? '{}' : String(request['input']);
      if (Buffer.byteLength(input) > MAX_INPUT_BYTES) {
        throw new StepFunctionsError('InvalidExecutionInput', 'The input is larger than 262144 bytes.');
      }
      try {
        JSON.parse(input);
      } catch {
        throw new StepFunctionsError('InvalidExecutionInput', `Invalid State Machine Execution Input: '${input}'`);
      }
      const arn = executionArn(machine.name, name);
      const existing = this.store.get(arn);
      if (existing) {
        // AWS's idempotent start: the same name and input while it runs is the same execution.
        if (existing.status === 'RUNNING' && existing.input === input) {
          return { executionArn: arn, startDate: seconds(existing.startDate) };
        }
        throw new StepFunctionsError('ExecutionAlreadyExists', `Execution Already Exists: '${arn}'`);
      }
      const record: ExecutionRecord = {
        executionArn: arn,
        stateMachineArn: machine.arn,
        machineName: machine.name,
        name,
        status: 'RUNNING',
        startDate: Date.now(),
        input,
        history: [],
      };
      this.store.add(record);
      this.start(machine, record, { continued: false });
      return { executionArn: arn, startDate: seconds(record.startDate) };
    },

    DescribeExecution: (request) => {
      const record = this.execution(field(request, 'executionArn'));
      return {
        ...executionSummary(record),
        input: record.input,
        inputDetails: { included: true },
        ...(record.output === undefined ? {} : { output: record.output, outputDetails: { included: true } }),
        error: record.error,
        cause: record.cause,
        ...redriveStatus(record),
      };
    },

    ListExecutions: (request) => {
      const machine = this.machine(field(request, 'stateMachineArn'));
      const status = request['statusFilter'];
      if (status === 'PENDING_REDRIVE') {
        // AWS: executions wait in PENDING_REDRIVE only as children of a Map Run, listed by its mapRunArn.
        throw new StepFunctionsError('ValidationException', 'statusFilter PENDING_REDRIVE requires a mapRunArn');
      }
      if (status !== undefined && !STATUSES.includes(String(status))) {
        throw new StepFunctionsError('ValidationException', `Invalid statusFilter: ${String(status)}`);
      }
      const redriven = request['redriveFilter'];
      if (redriven !== undefined && !REDRIVE_FILTERS.includes(String(redriven))) {
        throw new StepFunctionsError('ValidationException', `Invalid redriveFilter: ${String(redriven)}`);
      }
      const matching = this.store
        .all()
        .map((record, index) => ({ record, index }))
        .filter(
          ({ record }) =>
            record.stateMachineArn === machine.arn &&
            (status === undefined || record.status === status) &&
            (redriven === undefined || (redriven === 'REDRIVEN') === (record.redriveCount ?? 0) > 0),
        )
        .sort((a, b) => b.record.startDate - a.record.startDate || b.index - a.index)
        .map(({ record }) => record);
      const { items, nextToken } = page(matching, request);
      return {
        executions: items.map(executionSummary),
        nextToken,
      };
    },

    GetExecutionHistory: (request) => {
      const record = this.execution(field(request, 'executionArn'));
      const events = request['reverseOrder'] === true ? [...record.history].reverse() : record.history;
      const { items, nextToken } = page(events, request);
      return { events: items.map((event) => ({ ...event, timestamp: seconds(event.timestamp) })), nextToken };
    },

    StopExecution: (request) => {
      const record = this.execution(field(request, 'executionArn'));
      const error = typeof request['error'] === 'string' ? request['error'] : undefined;
      const cause = typeof request['cause'] === 'string' ? request['cause'] : undefined;
      this.running.get(record.executionArn)?.stop(error, cause);
      return { stopDate: seconds(record.stopDate ?? Date.now()) };
    },

    /**
     * AWS's RedriveExecution: a FAILED, ABORTED or TIMED_OUT execution runs again from the state it stopped
     * in, with the input that state had; the states that succeeded are not run again. Same ARN, history kept,
     * ExecutionRedriven appended before the new events. A client token used in the last 15 minutes (of the
     * last 10) answers as its redrive did, without redriving again.
     */
    RedriveExecution: (request) => {
      const record = this.execution(field(request, 'executionArn'));
      const now = Date.now();
      const token = request['clientToken'];
      if (token !== undefined && (typeof token !== 'string' || !CLIENT_TOKEN.test(token))) {
        throw new StepFunctionsError('ValidationException', 'clientToken must be 1 to 64 printable characters');
      }
      const used = record.redriveTokens?.find((kept) => kept.token === token && now - kept.date < REDRIVE_TOKEN_MS);
      if (used) return { redriveDate: seconds(used.date) };
      const reason = notRedrivableReason(record, now);
      if (reason !== undefined) throw new StepFunctionsError('ExecutionNotRedrivable', reason);
      const machine = this.machine(record.stateMachineArn);
      const from = redrivePoint(machine.definition, record);
      const redriveCount = (record.redriveCount ?? 0) + 1;
      const tokens = [...(record.redriveTokens ?? []), ...(typeof token === 'string' ? [{ token, date: now }] : [])];
      Object.assign(record, {
        status: 'RUNNING',
        redriveCount,
        redriveDate: now,
        redriveTokens: tokens.filter((kept) => now - kept.date < REDRIVE_TOKEN_MS).slice(-KEPT_REDRIVE_TOKENS),
        runFrom: from,
      });
      for (const closed of ['stopDate', 'output', 'error', 'cause'] as const) delete record[closed];
      const previous = record.history.at(-1)?.id ?? 0;
      record.history.push({
        timestamp: now,
        type: 'ExecutionRedriven',
        id: previous + 1,
        previousEventId: previous,
        executionRedrivenEventDetails: { redriveCount },
      });
      this.store.save(record);
      this.start(machine, record, { continued: true, from });
      return { redriveDate: seconds(now) };
    },

    /** AWS's TestState (testState.ts): one state, its Task mocked or called, its Retry and Catch judged. */
    TestState: async (request) => {
      try {
        return await testState(request, this.options.invoke);
      } catch (error) {
        if (error instanceof TestStateRefused) throw new StepFunctionsError('ValidationException', error.message);
        throw error;
      }
    },

    DescribeStateMachineForExecution: (request) => {
      const record = this.execution(field(request, 'executionArn'));
      const machine = this.machine(record.stateMachineArn);
      return {
        stateMachineArn: machine.arn,
        name: machine.name,
        definition: JSON.stringify(machine.definition),
        roleArn: machine.roleArn,
        updateDate: seconds(machine.creationDate),
        ...MACHINE_SETTINGS,
      };
    },
  };

  private start(machine: StateMachine, record: ExecutionRecord, run: { continued: boolean; from?: RunFrom }): void {
    const execution = runExecution(
      machine,
      record,
      {
        invoke: this.options.invoke,
        taskTimeoutSeconds: this.taskTimeoutSeconds,
        timeScale: this.timeScale,
        lockSeconds: this.options.functionTimeoutSeconds ?? this.taskTimeoutSeconds,
        changed: (changed) => this.store.save(changed),
      },
      run,
    );
    this.running.set(record.executionArn, execution);
    void execution.done.finally(() => {
      this.running.delete(record.executionArn);
      if (record.status !== 'RUNNING') this.options.onClosed?.(record);
    });
  }

  private machine(arn: string): StateMachine {
    if (!/^arn:aws:states:[^:]+:[^:]+:stateMachine:[^:]+$/.test(arn)) {
      throw new StepFunctionsError('InvalidArn', `Invalid Arn: '${arn}'`);
    }
    const machine = this.machines.get(arn);
    if (!machine) throw new StepFunctionsError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
    return machine;
  }

  private execution(arn: string): ExecutionRecord {
    if (!parseExecutionArn(arn)) throw new StepFunctionsError('InvalidArn', `Invalid Arn: '${arn}'`);
    const record = this.store.get(arn);
    if (!record) throw new StepFunctionsError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    return record;
  }
}
