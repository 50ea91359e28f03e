import {
  paginateGetExecutionHistory,
  paginateListExecutions,
  type ExecutionListItem,
  type HistoryEvent,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { round } from './stats';

/** Where a saga's time went, from its execution history. */
export interface SagaTime {
  sagaMs: number;
  /** Time inside Task calls: from each LambdaFunctionScheduled to its outcome event. */
  taskMs: number;
}

export interface Overhead {
  executions: number;
  /** Mean saga time and mean time inside Tasks, per execution, in milliseconds to a tenth. */
  meanSagaMs: number;
  meanTaskMs: number;
  /** (saga time − task time) / saga time, over all the executions looked at. */
  overheadShare: number;
  meanOverheadMs: number;
}

const TASK_END = new Set([
  'LambdaFunctionSucceeded',
  'LambdaFunctionFailed',
  'LambdaFunctionTimedOut',
  'LambdaFunctionStartFailed',
]);

/** Saga time and task time of one closed execution (Tasks run one at a time in these machines). */
export function sagaTime(execution: { startDate: Date; stopDate: Date }, events: HistoryEvent[]): SagaTime {
  let scheduledAt: number | undefined;
  let taskMs = 0;
  for (const event of events) {
    const at = event.timestamp!.getTime();
    if (event.type === 'LambdaFunctionScheduled') scheduledAt = at;
    else if (TASK_END.has(event.type!) && scheduledAt !== undefined) {
      taskMs += at - scheduledAt;
      scheduledAt = undefined;
    }
  }
  return { sagaMs: execution.stopDate.getTime() - execution.startDate.getTime(), taskMs };
}

async function closedSince(sfn: SFNClient, stateMachineArn: string, since: number): Promise<ExecutionListItem[]> {
  const found: ExecutionListItem[] = [];
  for await (const page of paginateListExecutions({ client: sfn }, { stateMachineArn })) {
    found.push(...(page.executions ?? []).filter((e) => e.startDate!.getTime() >= since && e.stopDate !== undefined));
  }
  return found;
}

async function historyOf(sfn: SFNClient, executionArn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  for await (const page of paginateGetExecutionHistory({ client: sfn }, { executionArn })) {
    events.push(...(page.events ?? []));
  }
  return events;
}

/** The orchestration overhead of up to `limit` executions of a machine that closed after `since` (evenly picked). */
export async function orchestrationOverhead(
  sfn: SFNClient,
  stateMachineArn: string,
  since: number,
  limit = 300,
): Promise<Overhead> {
  const closed = await closedSince(sfn, stateMachineArn, since);
  const step = Math.max(1, closed.length / limit);
  const picked = Array.from({ length: Math.min(limit, closed.length) }, (_, i) => closed[Math.floor(i * step)]!);
  const times = await Promise.all(
    picked.map(async (execution) =>
      sagaTime(execution as { startDate: Date; stopDate: Date }, await historyOf(sfn, execution.executionArn!)),
    ),
  );
  const saga = times.reduce((sum, t) => sum + t.sagaMs, 0);
  const task = times.reduce((sum, t) => sum + t.taskMs, 0);
  const n = Math.max(times.length, 1);
  // To a tenth of a millisecond: a warm one-user order saga is about 13 ms of Tasks on a fast machine, where
  // whole milliseconds would move the 1-user ratio computed from them by up to 4%.
  return {
    executions: times.length,
    meanSagaMs: round(saga / n),
    meanTaskMs: round(task / n),
    overheadShare: saga === 0 ? 0 : Math.round(((saga - task) / saga) * 1000) / 1000,
    meanOverheadMs: round((saga - task) / n),
  };
}
