import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ALERT_RULES, startPrometheus, type RunningPrometheus } from '../../local/prometheus';

/**
 * The alert a saga stopped after its pivot fires, and how the tests stop one. orderConfirm (after the Withdraw
 * pivot) refuses with a business error, which its Retry lets through at once and nothing catches: the execution
 * fails at ConfirmOrder with that error and waits for a redrive, which confirms the order once the fault is gone.
 */
export const FAILED_AFTER_PIVOT = {
  alert: 'SagaWaitingForRedrive',
  saga: 'orderSaga',
  /** How the execution ends (its status is FAILED): with the Task's own error. */
  ending: 'InvalidTransition',
  fault: { functionName: 'orderConfirm', error: 'InvalidTransition' },
} as const;

/** The rules' look-back windows in the tests: seconds, not minutes, so that an alert also resolves in a test. */
export const TEST_WINDOW = '15s';

/** A copy of monitoring/alerts.yml with only its `[5m]` windows shortened to TEST_WINDOW. */
export function rulesForTests(dir: string): string {
  const rules = readFileSync(ALERT_RULES, 'utf8');
  if (!rules.includes('[5m]')) throw new Error('monitoring/alerts.yml has no [5m] window left to shorten');
  const file = join(dir, 'alerts.yml');
  writeFileSync(file, rules.replaceAll('[5m]', `[${TEST_WINDOW}]`));
  return file;
}

/**
 * How often the tests' Prometheus scrapes and evaluates. Not 1 s: a scrape may take no longer than the interval
 * (a few ms when idle), and with 1 s the alert once failed to come in a full `npm test` at a load average of 80.
 */
const INTERVAL_SECONDS = 2;

export interface TestPrometheus extends RunningPrometheus {
  /** Resolves once Prometheus has scraped the cloud successfully, twice: what follows is an increase. */
  scraping: () => Promise<void>;
  /** The scrape target's health and last error, for a test's failure message. */
  targets: () => Promise<string>;
  /** The alerts Prometheus' own API reports as firing, as `<alertname>/<saga or function>`. */
  firing: () => Promise<string[]>;
}

/**
 * A real Prometheus scraping and evaluating every INTERVAL_SECONDS, data in a temporary folder removed on stop; with the
 * rules' windows shortened (rulesForTests) unless `realWindows`.
 */
export async function startTestPrometheus(
  port: number,
  metricsPort: number,
  realWindows = false,
): Promise<TestPrometheus> {
  const dir = mkdtempSync(join(tmpdir(), 'prometheus-'));
  const prometheus = await startPrometheus({
    port,
    metricsPort,
    dataDir: dir,
    intervalSeconds: INTERVAL_SECONDS,
    rulesFile: realWindows ? ALERT_RULES : rulesForTests(dir),
  }).catch((error: unknown) => {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  });
  const query = async (expression: string) => {
    const answer = (await (
      await fetch(`${prometheus.url}/api/v1/query?query=${encodeURIComponent(expression)}`)
    ).json()) as {
      data?: { result?: Array<{ value: [number, string] }> };
    };
    return answer.data?.result?.[0]?.value[1];
  };
  return {
    ...prometheus,
    scraping: async () => {
      await eventually(
        () => query('up{job="local-cloud"}'),
        (up) => up === '1',
        60_000,
      );
      await new Promise((resolve) => setTimeout(resolve, 2 * INTERVAL_SECONDS * 1000));
    },
    targets: async () => {
      const answer = (await (await fetch(`${prometheus.url}/api/v1/targets`)).json()) as {
        data: { activeTargets: Array<{ health: string; lastError: string; lastScrapeDuration: number }> };
      };
      return JSON.stringify(
        answer.data.activeTargets.map(({ health, lastError, lastScrapeDuration }) => ({
          health,
          lastError,
          lastScrapeDuration,
        })),
      );
    },
    firing: async () => {
      const answer = (await (await fetch(`${prometheus.url}/api/v1/alerts`)).json()) as {
        data: { alerts: Array<{ labels: Record<string, string>; state: string }> };
      };
      return answer.data.alerts
        .filter((alert) => alert.state === 'firing')
        .map(({ labels }) => `${labels['alertname']}/${labels['saga'] ?? labels['function'] ?? ''}`);
    },
    stop: async () => {
      await prometheus.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls until `check` holds, failing after `timeoutMs` with what it last saw (and what `explain` adds). */
export async function eventually<T>(
  read: () => Promise<T>,
  check: (value: T) => boolean,
  timeoutMs: number,
  explain: () => Promise<string> = async () => '',
) {
  const deadline = Date.now() + timeoutMs;
  let last: T = await read();
  while (!check(last)) {
    if (Date.now() > deadline) {
      throw new Error(`still ${JSON.stringify(last)} after ${timeoutMs} ms ${await explain().catch(String)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
    last = await read();
  }
  return last;
}
