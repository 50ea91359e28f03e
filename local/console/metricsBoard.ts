import { FIGURES, promql, type Figure } from '../../monitoring/watched';
import { SampleHistory, type Line } from './samples';

/** One chart of the Metrics page: x in epoch seconds, one line per series. */
export interface Chart {
  figure: string;
  title: string;
  saga?: string;
  timestamps: number[];
  lines: Line[];
}

export type MetricsSource = 'prometheus' | 'samples';

export interface Charts {
  source: MetricsSource;
  sagas: string[];
  charts: Chart[];
}

export interface Alert {
  name: string;
  state: 'firing' | 'pending';
  labels: Record<string, string>;
  summary: string;
  activeAt: string;
}

export interface Alerts {
  /** Null: no Prometheus runs, and the console does not evaluate the rules itself. */
  source: 'prometheus' | null;
  alerts: Alert[];
}

export interface MetricsBoardOptions {
  /** The local cloud's /metrics text, sampled when no Prometheus answers. */
  scrape: () => Promise<string>;
  /** Prometheus' address, when `npm start -- --monitoring` runs one. */
  prometheusUrl?: string;
  sampleEverySeconds?: number;
  /** How far back the charts look. */
  rangeSeconds?: number;
}

const HOUR = 3600;
/** Points on a chart from Prometheus: one every 15 s over an hour is 240. */
const STEP_SECONDS = 15;
const SAGA_METRIC = 'saga_executions_total';

interface PrometheusAnswer<T> {
  status: string;
  data: T;
  error?: string;
}
type Matrix = Array<{ metric: Record<string, string>; values: Array<[number, string]> }>;

/**
 * What the console's Metrics page draws: the figures of monitoring/watched.ts over the last hour, from
 * Prometheus' HTTP API when it answers, otherwise from the console's own samples of /metrics; and the alerts
 * Prometheus has firing (the console does not evaluate the rules itself: that would be a second PromQL engine).
 */
export class MetricsBoard {
  private readonly history: SampleHistory;
  private readonly timer: NodeJS.Timeout;
  private readonly rangeSeconds: number;

  constructor(private readonly options: MetricsBoardOptions) {
    this.rangeSeconds = options.rangeSeconds ?? HOUR;
    this.history = new SampleHistory(this.rangeSeconds);
    void this.sample();
    this.timer = setInterval(() => void this.sample(), (options.sampleEverySeconds ?? 5) * 1000);
    this.timer.unref();
  }

  close(): void {
    clearInterval(this.timer);
  }

  private async sample(): Promise<void> {
    try {
      this.history.add(await this.options.scrape());
    } catch {
      /* the endpoint is stopping: the next sample, if any, will do */
    }
  }

  async charts(): Promise<Charts> {
    if (await this.prometheusAnswers()) return this.chartsFromPrometheus();
    const sagas = this.history.labelValues(SAGA_METRIC, 'saga');
    const timestamps = this.history.timestamps;
    return {
      source: 'samples',
      sagas,
      charts: this.eachChart(sagas).map(({ figure, saga }) => ({
        figure: figure.id,
        title: figure.title,
        ...(saga === undefined ? {} : { saga }),
        timestamps,
        lines: this.history.evaluate(figure.query, saga),
      })),
    };
  }

  async alerts(): Promise<Alerts> {
    if (!(await this.prometheusAnswers())) return { source: null, alerts: [] };
    const answer = await this.prometheus<{
      alerts: Array<{
        labels: Record<string, string>;
        annotations: Record<string, string>;
        state: string;
        activeAt: string;
      }>;
    }>('/api/v1/alerts');
    return {
      source: 'prometheus',
      alerts: answer.alerts
        .filter((alert) => alert.state === 'firing' || alert.state === 'pending')
        .map((alert) => {
          const { alertname, ...labels } = alert.labels;
          return {
            name: alertname ?? '',
            state: alert.state as Alert['state'],
            labels,
            summary: alert.annotations['summary'] ?? '',
            activeAt: alert.activeAt,
          };
        }),
    };
  }

  private eachChart(sagas: string[]): Array<{ figure: Figure; saga?: string }> {
    return [
      ...sagas.flatMap((saga) => FIGURES.filter((figure) => figure.perSaga).map((figure) => ({ figure, saga }))),
      ...FIGURES.filter((figure) => !figure.perSaga).map((figure) => ({ figure })),
    ];
  }

  private async prometheusAnswers(): Promise<boolean> {
    if (this.options.prometheusUrl === undefined) return false;
    try {
      return (await fetch(`${this.options.prometheusUrl}/-/ready`, { signal: AbortSignal.timeout(1000) })).ok;
    } catch {
      return false;
    }
  }

  private async prometheus<T>(path: string, query: Record<string, string> = {}): Promise<T> {
    const url = `${this.options.prometheusUrl}${path}?${new URLSearchParams(query)}`;
    const answer = (await (await fetch(url, { signal: AbortSignal.timeout(10_000) })).json()) as PrometheusAnswer<T>;
    if (answer.status !== 'success') throw new Error(`Prometheus: ${answer.error ?? answer.status}`);
    return answer.data;
  }

  private async chartsFromPrometheus(): Promise<Charts> {
    const end = Math.floor(Date.now() / 1000 / STEP_SECONDS) * STEP_SECONDS;
    const start = end - this.rangeSeconds;
    const timestamps = Array.from({ length: this.rangeSeconds / STEP_SECONDS + 1 }, (_, i) => start + i * STEP_SECONDS);
    const range = { start: String(start), end: String(end), step: String(STEP_SECONDS) };
    const sagas = (await this.prometheus<string[]>(`/api/v1/label/saga/values`, { 'match[]': SAGA_METRIC })).sort();
    const charts = await Promise.all(
      this.eachChart(sagas).map(async ({ figure, saga }) => {
        const expressions = promql(figure.query, saga);
        const results = await Promise.all(
          expressions.map((query) => this.prometheus<{ result: Matrix }>('/api/v1/query_range', { query, ...range })),
        );
        const lines = results.flatMap(({ result }, n) =>
          result.map((series) => {
            const byTime = new Map(series.values.map(([at, value]) => [at, Number(value)]));
            const label =
              figure.query.kind !== 'quantiles'
                ? (series.metric[figure.query.by] ?? '')
                : `p${Math.round(figure.query.quantiles[n]! * 100)}`;
            return { label, values: timestamps.map((at) => finite(byTime.get(at))) };
          }),
        );
        lines.sort((a, b) => a.label.localeCompare(b.label));
        return { figure: figure.id, title: figure.title, ...(saga === undefined ? {} : { saga }), timestamps, lines };
      }),
    );
    return { source: 'prometheus', sagas, charts };
  }
}

/** NaN (a quantile of no observations) is "no value" on a chart. */
const finite = (value: number | undefined) => (value === undefined || !Number.isFinite(value) ? null : value);
