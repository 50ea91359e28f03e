/**
 * What is watched, once for both sides: locally Prometheus' rules (monitoring/alerts.yml) and the console's
 * Metrics page; deployed CloudWatch's alarms and dashboard (serverless/monitoring.yml). Where one side has no
 * counterpart, `because` says why. tests/unit/monitoring/watched.test.ts holds both files to this list.
 */

export interface Watched {
  /** The Prometheus alert in monitoring/alerts.yml, or null. */
  alert: string | null;
  /** The CloudWatch alarm, `shop-<stage>-<alarm>`, in serverless/monitoring.yml, or null. */
  alarm: string | null;
  because?: string;
}

export const WATCHED: Watched[] = [
  { alert: 'SagaWaitingForRedrive', alarm: 'saga-waiting-for-redrive' },
  { alert: 'SagaExecutionsFailing', alarm: 'saga-executions-failed' },
  {
    alert: 'SagaLatencyHigh',
    alarm: null,
    because: 'deployed, the saga-starting calls wait for their saga, so api-latency-p99 sees a slow saga',
  },
  { alert: 'FunctionErrors', alarm: 'function-errors' },
  {
    alert: 'FunctionLatencyHigh',
    alarm: null,
    because: 'deployed, a slow function shows in api-latency-p99 and in its Lambda Duration on the dashboard',
  },
  { alert: 'AuthorizerDenialsSpike', alarm: 'authorizer-denials' },
  { alert: null, alarm: 'function-throttles', because: 'serverless-offline never throttles' },
  { alert: null, alarm: 'api-5xx', because: 'serverless-offline reports no response statuses' },
  { alert: null, alarm: 'api-latency-p99', because: 'serverless-offline reports no request latency' },
];

/**
 * A figure's query, in a form both Prometheus (as PromQL, see promql()) and the console's own samples of
 * /metrics (local/console/samples.ts) can evaluate: one definition, two evaluators that agree.
 *   perMinute: the per-minute rate of a counter, summed by one label.
 *   quantiles: quantiles of a histogram's observations over the last five minutes.
 *   current: a gauge's value as it is, summed by one label.
 * A matcher value that starts with `!` means "not equal".
 */
export type FigureQuery =
  | { kind: 'perMinute'; metric: string; by: string; match?: Record<string, string> }
  | { kind: 'quantiles'; metric: string; quantiles: number[]; match?: Record<string, string> }
  | { kind: 'current'; metric: string; by: string; match?: Record<string, string> };

/** The gauge of executions waiting for a redrive (local/metrics.ts), which SagaWaitingForRedrive watches. */
export const WAITING_FOR_REDRIVE = 'saga_executions_waiting_for_redrive';

export interface Figure {
  id: string;
  title: string;
  /** Drawn once per saga, with `saga="<name>"` added to the matchers. */
  perSaga: boolean;
  query: FigureQuery;
  /** The CloudWatch dashboard widget with the same figure, or null. */
  widget: string | null;
  because?: string;
}

/** The rate window for counters and the one for histograms (as the alert rules use). */
export const RATE_WINDOW_SECONDS = 60;
export const QUANTILE_WINDOW_SECONDS = 300;

export const FIGURES: Figure[] = [
  {
    id: 'executions',
    title: 'Executions per minute, by outcome',
    perSaga: true,
    query: { kind: 'perMinute', metric: 'saga_executions_total', by: 'status' },
    widget: 'Saga executions',
  },
  {
    id: 'duration',
    title: 'Duration, p50 and p99 (s)',
    perSaga: true,
    query: { kind: 'quantiles', metric: 'saga_duration_seconds', quantiles: [0.5, 0.99] },
    widget: 'Saga duration p50 and p99 (ms)',
  },
  {
    id: 'failures',
    title: 'Failures per minute, by reason',
    perSaga: true,
    query: { kind: 'perMinute', metric: 'saga_executions_total', by: 'error', match: { status: '!SUCCEEDED' } },
    widget: null,
    because: "Step Functions' metrics carry no error; deployed, the two EventBridge rules pick the failures out",
  },
  {
    id: 'waiting',
    title: 'Executions waiting for a redrive',
    perSaga: true,
    query: { kind: 'current', metric: WAITING_FOR_REDRIVE, by: 'saga' },
    widget: null,
    because:
      'Step Functions has no such metric; deployed, the saga-waiting-for-redrive rule notifies each stop, and ListExecutions --status-filter FAILED lists them',
  },
  {
    id: 'function-errors',
    title: 'Function errors per minute',
    perSaga: false,
    query: { kind: 'perMinute', metric: 'lambda_errors_total', by: 'function' },
    widget: 'Functions: errors and throttles',
  },
  {
    id: 'money',
    title: 'Money moved per minute',
    perSaga: false,
    query: { kind: 'perMinute', metric: 'shop_money_moved_total', by: 'event' },
    widget: 'Money moved',
  },
  {
    id: 'business',
    title: 'Business events per minute',
    perSaga: false,
    query: { kind: 'perMinute', metric: 'shop_business_events_total', by: 'event' },
    widget: 'Business events',
  },
];

/** Dashboard widgets with no local figure. */
export const DEPLOYED_ONLY_WIDGETS: Record<string, string> = {
  'API: 5xx, p99 latency, authorizer denials': 'serverless-offline reports no statuses or latency',
};

const matchers = (match: Record<string, string>) =>
  Object.entries(match)
    .map(([label, value]) => (value.startsWith('!') ? `${label}!="${value.slice(1)}"` : `${label}="${value}"`))
    .join(',');

/** The PromQL for a figure: one expression per line drawn (one per quantile; one, summed by a label, for a rate). */
export function promql(query: FigureQuery, saga?: string): string[] {
  const match = matchers({ ...query.match, ...(saga === undefined ? {} : { saga }) });
  if (query.kind === 'perMinute') {
    return [`sum by (${query.by}) (rate(${query.metric}{${match}}[${RATE_WINDOW_SECONDS}s])) * 60`];
  }
  if (query.kind === 'current') return [`sum by (${query.by}) (${query.metric}{${match}})`];
  return query.quantiles.map(
    (q) =>
      `histogram_quantile(${q}, sum by (le) (rate(${query.metric}_bucket{${match}}[${QUANTILE_WINDOW_SECONDS}s])))`,
  );
}
