import {
  DescribeExecutionCommand,
  DescribeStateMachineForExecutionCommand,
  ListExecutionsCommand,
  paginateGetExecutionHistory,
  paginateListStateMachines,
  SFNClient,
  type ExecutionListItem,
  type ExecutionStatus as SdkExecutionStatus,
  type HistoryEvent,
} from '@aws-sdk/client-sfn';
import { LOCAL_CREDENTIALS, LOCAL_REGION, defaultPorts } from '../config';
import { traceExecution, type ExecutionStatus, type ExecutionTrace } from './executionTrace';
import { answersOf, waitsForRedrive } from './redrive';

/**
 * Everything the console and `npm run trace` know, read through the Step Functions API only (ListStateMachines,
 * ListExecutions, DescribeExecution, DescribeStateMachineForExecution, GetExecutionHistory): the same code reads
 * the local endpoint, LocalStack or AWS.
 */

export interface ReaderTarget {
  /** A Step Functions endpoint URL, or `aws` for the region's real endpoint and the usual credential chain. */
  endpoint: string;
  region: string;
}

/** The local cloud's endpoint unless AWS_ENDPOINT_URL_SFN names another; the region from AWS_REGION. */
export const defaultTarget = (): ReaderTarget => ({
  endpoint: process.env['AWS_ENDPOINT_URL_SFN'] ?? `http://localhost:${defaultPorts().stepFunctions}`,
  region: process.env['AWS_REGION'] ?? LOCAL_REGION,
});

const isLocal = (endpoint: string) => /^https?:\/\/(localhost|127\.0\.0\.1|\[::1\]|localstack)(:|\/|$)/.test(endpoint);

export function readerClient(target: ReaderTarget): SFNClient {
  if (target.endpoint === 'aws') return new SFNClient({ region: target.region });
  // An emulator takes any credentials; without some of its own the SDK would look for real ones.
  const credentials =
    isLocal(target.endpoint) && !process.env['AWS_ACCESS_KEY_ID']
      ? { accessKeyId: LOCAL_CREDENTIALS.AWS_ACCESS_KEY_ID, secretAccessKey: LOCAL_CREDENTIALS.AWS_SECRET_ACCESS_KEY }
      : undefined;
  return new SFNClient({ endpoint: target.endpoint, region: target.region, maxAttempts: 2, credentials });
}

const epochMs = (date: Date | undefined) => date?.getTime();

export interface MachineSummary {
  stateMachineArn: string;
  name: string;
  type?: string;
}

export interface ExecutionSummary {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: string;
  startedAt?: number;
  stoppedAt?: number;
  redriveCount?: number;
}

export interface ExecutionDetail extends ExecutionSummary {
  redriveStatus?: string;
  redriveStatusReason?: string;
  /** Stopped at a step that kept failing (not one of the saga's answers): the console offers a Redrive. */
  waitsForRedrive: boolean;
  input?: string;
  output?: string;
  error?: string;
  cause?: string;
  definition: unknown;
  events: HistoryEvent[];
  trace: ExecutionTrace;
}

export async function listMachines(sfn: SFNClient): Promise<MachineSummary[]> {
  const machines: MachineSummary[] = [];
  for await (const page of paginateListStateMachines({ client: sfn }, {})) {
    for (const machine of page.stateMachines ?? []) {
      machines.push({ stateMachineArn: machine.stateMachineArn ?? '', name: machine.name ?? '', type: machine.type });
    }
  }
  return machines;
}

const summary = (item: ExecutionListItem): ExecutionSummary => ({
  executionArn: item.executionArn ?? '',
  stateMachineArn: item.stateMachineArn ?? '',
  name: item.name ?? '',
  status: item.status ?? '',
  startedAt: epochMs(item.startDate),
  stoppedAt: epochMs(item.stopDate),
  redriveCount: item.redriveCount,
});

/** The newest executions of one machine (or of all when `stateMachineArn` is omitted), newest first. */
export async function listExecutions(
  sfn: SFNClient,
  options: { stateMachineArn?: string; status?: string; limit?: number } = {},
): Promise<ExecutionSummary[]> {
  const limit = options.limit ?? 100;
  const arns = options.stateMachineArn
    ? [options.stateMachineArn]
    : (await listMachines(sfn)).map((machine) => machine.stateMachineArn);
  const lists = await Promise.all(
    arns.map(async (stateMachineArn) => {
      const page = await sfn.send(
        new ListExecutionsCommand({
          stateMachineArn,
          maxResults: limit,
          ...(options.status ? { statusFilter: options.status as SdkExecutionStatus } : {}),
        }),
      );
      return (page.executions ?? []).map(summary);
    }),
  );
  return lists
    .flat()
    .sort((a, b) => (b.startedAt ?? 0) - (a.startedAt ?? 0))
    .slice(0, limit);
}

/** One execution with its definition, its whole history and the trace read from them. */
export async function readExecution(sfn: SFNClient, executionArn: string): Promise<ExecutionDetail> {
  const [execution, machine] = await Promise.all([
    sfn.send(new DescribeExecutionCommand({ executionArn })),
    sfn.send(new DescribeStateMachineForExecutionCommand({ executionArn })),
  ]);
  const events: HistoryEvent[] = [];
  for await (const page of paginateGetExecutionHistory({ client: sfn, pageSize: 1000 }, { executionArn })) {
    events.push(...(page.events ?? []));
  }
  const definition: unknown = JSON.parse(machine.definition ?? '{}');
  const status = (execution.status ?? 'RUNNING') as ExecutionStatus;
  return {
    executionArn,
    stateMachineArn: execution.stateMachineArn ?? '',
    name: execution.name ?? '',
    status,
    startedAt: epochMs(execution.startDate),
    stoppedAt: epochMs(execution.stopDate),
    input: execution.input,
    output: execution.output,
    error: execution.error,
    cause: execution.cause,
    redriveCount: execution.redriveCount,
    redriveStatus: execution.redriveStatus,
    redriveStatusReason: execution.redriveStatusReason,
    waitsForRedrive: waitsForRedrive(execution, answersOf(definition)),
    definition,
    events,
    trace: traceExecution(definition, events, status),
  };
}
