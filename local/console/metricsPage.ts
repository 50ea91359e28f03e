/// <reference lib="dom" /> -- this file runs in the browser, bundled by metricsBundle.ts
import uPlot from 'uplot';
import uPlotCss from 'uplot/dist/uPlot.min.css';
import type { Alerts, Chart, Charts } from './metricsBoard';

/** How often the page asks again (`?every=<seconds>` changes it). */
const EVERY_SECONDS = Number(new URLSearchParams(location.search).get('every') ?? 10);
const COLOURS = ['#0972d3', '#d13212', '#1d8102', '#b7791f', '#7d3cbf', '#037f8c', '#8d99a8'];
const SOURCE_TEXT: Record<Charts['source'], string> = {
  prometheus: "From Prometheus' HTTP API (npm start -- --monitoring), over the last hour.",
  samples: "From the console's own samples of /metrics every few seconds since it started (no Prometheus runs).",
};

const style = document.createElement('style');
style.textContent = uPlotCss;
document.head.append(style);

function element(tag: string, attributes: Record<string, string> = {}, ...children: Array<Node | string>) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

async function read<T>(path: string): Promise<T> {
  const response = await fetch(path, { cache: 'no-store' });
  if (!response.ok) throw new Error(`${path}: ${response.status}`);
  return (await response.json()) as T;
}

function showAlerts({ source, alerts }: Alerts): void {
  const box = document.getElementById('alerts')!;
  box.setAttribute('data-source', source ?? 'none');
  if (source === null) {
    box.replaceChildren(
      element(
        'p',
        { class: 'muted' },
        'The alert rules are evaluated by Prometheus: start with npm start -- --monitoring.',
      ),
    );
  } else if (alerts.length === 0) {
    box.replaceChildren(
      element('p', { class: 'muted' }, 'None firing (monitoring/alerts.yml, evaluated by Prometheus).'),
    );
  } else {
    const rows = alerts.map((alert) =>
      element(
        'tr',
        { 'data-alert': alert.name, 'data-state': alert.state },
        element('td', {}, alert.name),
        element('td', {}, alert.state),
        element(
          'td',
          {},
          Object.entries(alert.labels)
            .map(([k, v]) => `${k}=${v}`)
            .join(' '),
        ),
        element('td', {}, alert.summary),
        element('td', {}, new Date(alert.activeAt).toLocaleTimeString()),
      ),
    );
    const head = element(
      'tr',
      {},
      ...['alert', 'state', 'labels', 'summary', 'since'].map((t) => element('th', {}, t)),
    );
    box.replaceChildren(element('table', {}, head, ...rows));
  }
}

/** uPlot draws once; later answers with the same lines only move the data. */
const plots = new Map<string, { plot: uPlot; labels: string }>();

function chartKey(chart: Chart): string {
  return `${chart.saga ?? ''}/${chart.figure}`;
}

function drawChart(chart: Chart, holder: HTMLElement): void {
  const key = chartKey(chart);
  const points = chart.lines.reduce((sum, line) => sum + line.values.filter((v) => v !== null).length, 0);
  let figure = holder.querySelector<HTMLElement>(`figure[data-key="${CSS.escape(key)}"]`);
  if (!figure) {
    figure = element(
      'figure',
      { class: 'chart', 'data-key': key, 'data-figure': chart.figure },
      element('figcaption', {}, chart.title),
    );
    if (chart.saga !== undefined) figure.setAttribute('data-saga', chart.saga);
    holder.append(figure);
  }
  const highest = Math.max(0, ...chart.lines.flatMap((line) => line.values.filter((v): v is number => v !== null)));
  figure.setAttribute('data-points', String(points));
  figure.setAttribute('data-max', String(highest));
  figure.setAttribute('data-lines', chart.lines.map((line) => line.label).join(','));
  const data: uPlot.AlignedData = [chart.timestamps, ...chart.lines.map((line) => line.values)];
  const labels = chart.lines.map((line) => line.label).join('\u0000');
  const drawn = plots.get(key);
  if (drawn && drawn.labels === labels) return drawn.plot.setData(data);
  drawn?.plot.destroy();
  figure.querySelector('.empty')?.remove();
  if (chart.lines.length === 0) {
    plots.delete(key);
    figure.append(element('p', { class: 'empty' }, 'Nothing recorded yet.'));
    return;
  }
  const plot = new uPlot(
    {
      width: Math.max(380, figure.clientWidth - 20),
      height: 170,
      scales: { x: { time: true } },
      axes: [{ size: 30 }, { size: 46 }],
      series: [
        {},
        ...chart.lines.map((line, n) => ({
          label: line.label || '(none)',
          stroke: COLOURS[n % COLOURS.length]!,
          width: 1.5,
          points: { show: false },
        })),
      ],
    },
    data,
    figure,
  );
  plots.set(key, { plot, labels });
}

function showCharts({ source, sagas, charts }: Charts | { source: null; sagas: []; charts: [] }): void {
  const box = document.getElementById('charts')!;
  document.getElementById('source')!.textContent =
    source === null
      ? 'No metrics here: this console reads a Step Functions API without /metrics.'
      : SOURCE_TEXT[source];
  box.setAttribute('data-source', source ?? 'none');
  const sections: Array<{ id: string; title: string; charts: Chart[] }> = [
    ...sagas.map((saga) => ({ id: saga, title: saga, charts: charts.filter((chart) => chart.saga === saga) })),
    { id: '', title: 'Functions and money', charts: charts.filter((chart) => chart.saga === undefined) },
  ];
  for (const section of sections) {
    let holder = box.querySelector<HTMLElement>(`section[data-section="${CSS.escape(section.id)}"] .charts`);
    if (!holder) {
      holder = element('div', { class: 'charts' });
      box.append(element('section', { 'data-section': section.id }, element('h2', {}, section.title), holder));
    }
    for (const chart of section.charts) drawChart(chart, holder);
  }
}

async function refresh(): Promise<void> {
  try {
    const [charts, alerts] = await Promise.all([read<Charts>('/api/charts'), read<Alerts>('/api/alerts')]);
    showAlerts(alerts);
    showCharts(charts);
    document.body.setAttribute('data-updated', String(Date.now()));
  } catch (error) {
    document.getElementById('source')!.textContent = `Could not read the figures: ${String(error)}`;
  }
  setTimeout(() => void refresh(), EVERY_SECONDS * 1000);
}

void refresh();
