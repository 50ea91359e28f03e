/**
 * Prometheus' text exposition format read as data: one sample per line, `name{label="value",…} value
 * [timestamp]`, with `#` lines (HELP, TYPE) and blank lines skipped. A histogram is its `_bucket`, `_sum` and
 * `_count` samples, as Prometheus itself stores it.
 *
 * Our own parser rather than a library: the one npm offers, parse-prometheus-text-format 1.1.1, drops the
 * labels, the `_count` and the `_sum` of a histogram that has labels of its own (its issue #13; the fix, its
 * pull request #8, has been open since 2019), and the counts by function are what we read.
 * prom-client writes the format and does not read it.
 */

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;
const ESCAPES: Record<string, string> = { '\\': '\\', '"': '"', n: '\n' };

export function parsePrometheusText(text: string): Sample[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map(parseLine);
}

function parseLine(line: string): Sample {
  const name = NAME.exec(line)?.[0];
  if (name === undefined) throw new Error(`not a Prometheus sample: ${line}`);
  let rest = line.slice(name.length);
  const labels: Record<string, string> = {};
  if (rest.startsWith('{')) {
    rest = rest.slice(1).trimStart();
    while (!rest.startsWith('}')) {
      const label = LABEL_NAME.exec(rest)?.[0];
      const equals = label === undefined ? undefined : /^\s*=\s*"/.exec(rest.slice(label.length))?.[0];
      if (label === undefined || equals === undefined) throw new Error(`malformed labels: ${line}`);
      let i = label.length + equals.length;
      let value = '';
      for (; i < rest.length && rest[i] !== '"'; i++) {
        if (rest[i] === '\\') {
          i++;
          value += ESCAPES[rest[i] ?? ''] ?? `\\${rest[i] ?? ''}`;
        } else {
          value += rest[i];
        }
      }
      if (i >= rest.length) throw new Error(`unterminated label value: ${line}`);
      labels[label] = value;
      rest = rest.slice(i + 1).trimStart();
      if (rest.startsWith(',')) rest = rest.slice(1).trimStart();
      else if (!rest.startsWith('}')) throw new Error(`malformed labels: ${line}`);
    }
    rest = rest.slice(1);
  }
  const [valueText] = rest.trim().split(/\s+/); // a timestamp may follow
  const value = parseValue(valueText ?? '');
  if (Number.isNaN(value) && valueText !== 'NaN') throw new Error(`not a sample value: ${line}`);
  return { name, labels, value };
}

function parseValue(text: string): number {
  if (text === '+Inf' || text === 'Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  return text === '' ? NaN : Number(text);
}

/** The sum of the samples called `name` whose labels include `labels` (0 when there are none). */
export function total(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples
    .filter((sample) => sample.name === name)
    .filter((sample) => Object.entries(labels).every(([label, value]) => sample.labels[label] === value))
    .reduce((sum, sample) => sum + sample.value, 0);
}

/** A Prometheus endpoint's samples, read now. */
export async function scrape(url: string): Promise<Sample[]> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  return parsePrometheusText(await response.text());
}
