import { QUANTILE_WINDOW_SECONDS, RATE_WINDOW_SECONDS, type FigureQuery } from '../../monitoring/watched';

/** One series of Prometheus' text format: `name{label="value",…} 12.5`. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Prometheus' text exposition format (what GET /metrics serves), comments skipped. */
export function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = LINE.exec(line);
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const [, label, value] of (match[2] ?? '').matchAll(LABEL)) {
      labels[label!] = value!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    }
    const value = Number(match[3]);
    if (!Number.isNaN(value)) samples.push({ name: match[1]!, labels, value });
  }
  return samples;
}

/** Prometheus' histogram_quantile over cumulative buckets: linear within the bucket the rank falls in. */
export function histogramQuantile(q: number, buckets: Array<{ le: number; count: number }>): number | null {
  const sorted = [...buckets].sort((a, b) => a.le - b.le);
  const total = sorted.at(-1);
  if (total === undefined || total.le !== Infinity || total.count <= 0) return null;
  const rank = q * total.count;
  let lower = 0;
  let below = 0;
  for (const bucket of sorted) {
    if (bucket.count >= rank) {
      // The +Inf bucket has no upper bound: Prometheus answers the highest finite one.
      if (bucket.le === Infinity) return lower;
      if (bucket.count === below) return bucket.le;
      return lower + (bucket.le - lower) * ((rank - below) / (bucket.count - below));
    }
    lower = bucket.le;
    below = bucket.count;
  }
  return null;
}

const matches = (labels: Record<string, string>, match: Record<string, string>) =>
  Object.entries(match).every(([label, value]) =>
    value.startsWith('!') ? (labels[label] ?? '') !== value.slice(1) : (labels[label] ?? '') === value,
  );

/** How much a counter grew between two samples; a drop is a restart, after which it counted from 0. */
const growth = (before: number | undefined, after: number) =>
  before === undefined || after < before ? after : after - before;

export interface Line {
  label: string;
  values: Array<number | null>;
}

interface Snapshot {
  at: number;
  samples: Sample[];
}

/**
 * The console's own memory of /metrics when no Prometheus runs: a snapshot every few seconds, an hour's worth,
 * and the figures of monitoring/watched.ts evaluated on them as Prometheus would (without its extrapolation).
 */
export class SampleHistory {
  private readonly snapshots: Snapshot[] = [];

  constructor(private readonly keepSeconds = 3600) {}

  add(text: string, at = Date.now() / 1000): void {
    this.snapshots.push({ at, samples: parseExposition(text) });
    while (this.snapshots.length > 0 && this.snapshots[0]!.at < at - this.keepSeconds) this.snapshots.shift();
  }

  get timestamps(): number[] {
    return this.snapshots.map((snapshot) => snapshot.at);
  }

  /** The values a label takes on a metric's series (the sagas, say). */
  labelValues(metric: string, label: string): string[] {
    const values = new Set<string>();
    for (const sample of this.snapshots.at(-1)?.samples ?? []) {
      if (sample.name === metric && sample.labels[label]) values.add(sample.labels[label]);
    }
    return [...values].sort();
  }

  /** The lines of a figure, one value per snapshot (null where there is not yet a window to look back over). */
  evaluate(query: FigureQuery, saga?: string): Line[] {
    const match = { ...query.match, ...(saga === undefined ? {} : { saga }) };
    if (query.kind === 'perMinute') return this.perMinute(query.metric, query.by, match);
    return query.kind === 'current' ? this.current(query.metric, query.by, match) : this.quantiles(query, match);
  }

  /** A gauge's value in each snapshot, summed by a label. */
  private current(metric: string, by: string, match: Record<string, string>): Line[] {
    const lines = new Map<string, Array<number | null>>();
    this.snapshots.forEach(({ samples }, i) => {
      for (const sample of samples) {
        if (sample.name !== metric || !matches(sample.labels, match)) continue;
        const group = sample.labels[by] ?? '';
        if (!lines.has(group)) lines.set(group, new Array<number | null>(this.snapshots.length).fill(null));
        lines.get(group)![i] = (lines.get(group)![i] ?? 0) + sample.value;
      }
    });
    return [...lines].sort(([a], [b]) => a.localeCompare(b)).map(([label, values]) => ({ label, values }));
  }

  /** The snapshot to measure growth from: the newest at least `window` older than snapshot i. */
  private baseline(i: number, window: number): number | undefined {
    if (i === 0) return undefined;
    const target = this.snapshots[i]!.at - window;
    let j = 0;
    while (j + 1 < i && this.snapshots[j + 1]!.at <= target) j++;
    return j;
  }

  /** Sum of growth by a label value, between snapshot `from` and snapshot `to`, of the matching series. */
  private growthBy(metric: string, by: string, match: Record<string, string>, from: number, to: number) {
    const key = (sample: Sample) => JSON.stringify(sample.labels);
    const before = new Map(
      this.snapshots[from]!.samples.filter((s) => s.name === metric).map((s) => [key(s), s.value] as const),
    );
    const sums = new Map<string, number>();
    for (const sample of this.snapshots[to]!.samples) {
      if (sample.name !== metric || !matches(sample.labels, match)) continue;
      const group = sample.labels[by] ?? '';
      sums.set(group, (sums.get(group) ?? 0) + growth(before.get(key(sample)), sample.value));
    }
    return sums;
  }

  private perMinute(metric: string, by: string, match: Record<string, string>): Line[] {
    const lines = new Map<string, Array<number | null>>();
    const count = this.snapshots.length;
    for (let i = 0; i < count; i++) {
      const from = this.baseline(i, RATE_WINDOW_SECONDS);
      if (from === undefined) continue;
      const seconds = this.snapshots[i]!.at - this.snapshots[from]!.at;
      for (const [group, sum] of this.growthBy(metric, by, match, from, i)) {
        if (!lines.has(group)) lines.set(group, new Array<number | null>(count).fill(null));
        lines.get(group)![i] = (sum / seconds) * 60;
      }
    }
    return [...lines].sort(([a], [b]) => a.localeCompare(b)).map(([label, values]) => ({ label, values }));
  }

  private quantiles(query: Extract<FigureQuery, { kind: 'quantiles' }>, match: Record<string, string>): Line[] {
    const lines = query.quantiles.map((q) => ({
      label: `p${Math.round(q * 100)}`,
      values: new Array<number | null>(this.snapshots.length).fill(null),
    }));
    for (let i = 0; i < this.snapshots.length; i++) {
      const from = this.baseline(i, QUANTILE_WINDOW_SECONDS);
      if (from === undefined) continue;
      const buckets = [...this.growthBy(`${query.metric}_bucket`, 'le', match, from, i)].map(([le, count]) => ({
        le: le === '+Inf' ? Infinity : Number(le),
        count,
      }));
      query.quantiles.forEach((q, n) => (lines[n]!.values[i] = histogramQuantile(q, buckets)));
    }
    return lines;
  }
}
