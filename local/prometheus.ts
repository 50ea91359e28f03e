import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { assertPortFree, startProcess, waitUntil } from './process';

/** The alerting rules Prometheus evaluates locally: the same file `promtool test rules` checks. */
export const ALERT_RULES = resolve(__dirname, '..', 'monitoring', 'alerts.yml');

export interface PrometheusOptions {
  port: number;
  /** The local cloud's Step Functions endpoint, whose GET /metrics is scraped. */
  metricsPort: number;
  /** Its configuration and its time-series database go here (under .local/ for `npm start`). */
  dataDir: string;
  /** How often it scrapes and evaluates the rules; a few seconds, so that a chart moves while you look. */
  intervalSeconds?: number;
  /** The rule file to load; the tests pass a copy of ALERT_RULES with shorter windows. */
  rulesFile?: string;
  /** Start with no data (`npm start -- --fresh`). */
  fresh?: boolean;
  echo?: boolean;
}

export interface RunningPrometheus {
  url: string;
  stop: () => Promise<void>;
}

/** Prometheus' configuration: one job scraping the local cloud, the alerting rules loaded. */
export function prometheusConfig(
  options: Required<Pick<PrometheusOptions, 'metricsPort' | 'intervalSeconds' | 'rulesFile'>>,
): string {
  const interval = `${options.intervalSeconds}s`;
  return [
    '# Written by local/prometheus.ts at each start; edits are lost.',
    'global:',
    `  scrape_interval: ${interval}`,
    `  evaluation_interval: ${interval}`,
    'rule_files:',
    `  - ${JSON.stringify(options.rulesFile)}`,
    'scrape_configs:',
    '  - job_name: local-cloud',
    '    metrics_path: /metrics',
    '    static_configs:',
    `      - targets: ['127.0.0.1:${options.metricsPort}']`,
    '',
  ].join('\n');
}

/**
 * Debian's `prometheus` (the package that brings promtool) scraping the local cloud, with monitoring/alerts.yml
 * live. It listens on 127.0.0.1 only and keeps its data in `dataDir`; `stop()` ends it and waits for it.
 */
export async function startPrometheus(options: PrometheusOptions): Promise<RunningPrometheus> {
  await assertPortFree(options.port, 'Prometheus');
  const dataDir = resolve(options.dataDir);
  if (options.fresh) rmSync(join(dataDir, 'data'), { recursive: true, force: true });
  mkdirSync(join(dataDir, 'data'), { recursive: true });
  const configFile = join(dataDir, 'prometheus.yml');
  writeFileSync(
    configFile,
    prometheusConfig({
      metricsPort: options.metricsPort,
      intervalSeconds: options.intervalSeconds ?? 5,
      rulesFile: resolve(options.rulesFile ?? ALERT_RULES),
    }),
  );
  const url = `http://127.0.0.1:${options.port}`;
  const managed = startProcess(
    'prometheus',
    'prometheus',
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${join(dataDir, 'data')}`,
      // The console's charts look back an hour; a day is plenty and keeps .local/ small.
      '--storage.tsdb.retention.time=1d',
      `--web.listen-address=127.0.0.1:${options.port}`,
      '--log.level=warn',
    ],
    { echo: options.echo ?? false },
  );
  const spawnFailed = new Promise<never>((_, reject) =>
    managed.child.once('error', (error) =>
      reject(new Error(`Could not start prometheus (${error.message}): install it (apt-get install prometheus)`)),
    ),
  );
  try {
    await Promise.race([spawnFailed, waitUntil(managed, async () => (await fetch(`${url}/-/ready`)).ok, 30_000)]);
  } catch (error) {
    // Without a pid there is nothing to stop (the binary is missing).
    if (managed.child.pid !== undefined) await managed.stop();
    throw error;
  }
  return { url, stop: managed.stop };
}
