/** Latency figures of a set of samples, in milliseconds, and how many completed per second. */
export interface Figures {
  count: number;
  completedPerSecond: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  errors: number;
}

/** The nearest-rank percentile (no interpolation: every figure is a latency that was observed). */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(rank, 1)) - 1]!;
}

/** `value` to `digits` decimals (a tenth by default): the one rounding of the benchmark's figures. */
export const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

/** `latencies` of what completed over `seconds`, and the `errors` seen on the way. */
export function figures(latencies: number[], seconds: number, errors: number): Figures {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    count: sorted.length,
    completedPerSecond: round(sorted.length / seconds),
    p50Ms: round(percentile(sorted, 50)),
    p95Ms: round(percentile(sorted, 95)),
    p99Ms: round(percentile(sorted, 99)),
    maxMs: round(sorted.at(-1) ?? 0),
    errors,
  };
}

/** A fixed-width text table: the first row is the header. */
export function table(rows: (string | number)[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => String(row[column]).length)));
  return rows
    .map((row) =>
      row
        .map((cell, column) =>
          column === 0 ? String(cell).padEnd(widths[column]!) : String(cell).padStart(widths[column]!),
        )
        .join('  '),
    )
    .join('\n');
}
