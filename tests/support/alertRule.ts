import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';

type Labels = Record<string, string>;

/**
 * The label matchers of the `saga_executions_total{…}` selector in one rule of monitoring/alerts.yml, as a
 * predicate over a series' labels (PromQL's regular expressions match whole values).
 */
export function alertSelector(alert: string): (labels: Labels) => boolean {
  const file = join(__dirname, '..', '..', 'monitoring', 'alerts.yml');
  const groups = (load(readFileSync(file, 'utf8')) as { groups: { rules: { alert: string; expr: string }[] }[] })
    .groups;
  const rule = groups.flatMap((group) => group.rules).find((candidate) => candidate.alert === alert);
  const selector = /saga_executions_total\{([^}]*)\}/.exec(rule?.expr ?? '')?.[1];
  if (selector === undefined) throw new Error(`${alert}: no saga_executions_total selector`);
  const matchers = [...selector.matchAll(/(\w+)\s*(=~|!~|!=|=)\s*"([^"]*)"/g)].map(([, name, op, value]) => ({
    name: name!,
    op: op!,
    value: value!,
  }));
  return (labels) =>
    matchers.every(({ name, op, value }) => {
      const actual = labels[name] ?? '';
      const matches = new RegExp(`^(?:${value})$`).test(actual);
      if (op === '=') return actual === value;
      if (op === '!=') return actual !== value;
      return op === '=~' ? matches : !matches;
    });
}

/** Every `saga_executions_total` series of a Prometheus text exposition, with its labels and value. */
export function sagaExecutionSeries(text: string): { labels: Labels; value: number }[] {
  return [...text.matchAll(/^saga_executions_total\{([^}]*)\} (\S+)$/gm)].map(([, labels, value]) => ({
    labels: Object.fromEntries([...labels!.matchAll(/(\w+)="([^"]*)"/g)].map(([, name, v]) => [name!, v!])),
    value: Number(value),
  }));
}
