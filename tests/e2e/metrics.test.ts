/// <reference lib="dom" /> -- the callbacks of page.$eval run in the browser
import { chromium, type Browser, type Page } from 'playwright-core';
import type { SFNClient } from '@aws-sdk/client-sfn';
import { LocalMetrics } from '../../local/metrics';
import { startStepFunctionsEndpoint, type StepFunctionsEndpoint } from '../../local/stepfunctions/protocol';
import { uniqueSuffix } from '../support/api';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './support/consoleHarness';
import { sfnClient, startFakeLambda, unitTestPort, type FakeLambda } from '../support/fakeLambda';
import { FAILED_AFTER_PIVOT, startTestPrometheus, type TestPrometheus } from '../support/prometheus';
import { orderScenarios, SAGA_MACHINES, startOrder, waitForExecution } from '../support/sagaScenarios';

/**
 * The console's Metrics page in Chromium, on a Step Functions endpoint whose Tasks a scripted fake Lambda
 * answers: first from the console's own samples of /metrics, then from a real Prometheus scraping it.
 */
const PROMETHEUS_PORT = unitTestPort(47);
let lambda: FakeLambda;
let endpoint: StepFunctionsEndpoint;
let sfn: SFNClient;
let browser: Browser;
let prometheus: TestPrometheus | undefined;

beforeAll(async () => {
  lambda = await startFakeLambda(unitTestPort(45));
  const metrics = new LocalMetrics();
  metrics.expectMachines(SAGA_MACHINES);
  endpoint = await startStepFunctionsEndpoint({
    port: unitTestPort(46),
    lambdaEndpoint: lambda.url,
    machines: SAGA_MACHINES,
    onClosed: metrics.observeExecution,
    metrics: () => metrics.registry.metrics(),
    monitoring: { prometheusUrl: `http://127.0.0.1:${PROMETHEUS_PORT}`, sampleEverySeconds: 1 },
  });
  sfn = sfnClient(endpoint.url);
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
});

afterAll(async () => {
  await browser?.close();
  await prometheus?.stop();
  await endpoint?.stop();
  await lambda?.stop();
  sfn?.destroy();
});

async function runOrder(scenario: (lambda: FakeLambda) => void): Promise<void> {
  scenario(lambda);
  await waitForExecution(sfn, await startOrder(sfn, `metrics-${uniqueSuffix()}`));
}

/** A chart's `data-max` (its highest value) once it is above 0. */
const chartRises = (page: Page, selector: string) =>
  page.waitForFunction(
    (selector) => Number(document.querySelector(selector)?.getAttribute('data-max') ?? 0) > 0,
    selector,
    { timeout: 20_000 },
  );

const openMetrics = async () => {
  const page = await browser.newPage({ viewport: { width: 1440, height: 960 } });
  await page.goto(`${endpoint.url}/metrics.html?every=1`);
  return page;
};

describe('Metrics page of the console (Chromium)', () => {
  it("draws each saga's figures from its own samples of /metrics when no Prometheus runs", async () => {
    const page = await openMetrics();
    await runOrder(orderScenarios.completed);
    await runOrder(orderScenarios.compensated);

    await chartRises(page, 'figure[data-saga="orderSaga"][data-figure="executions"]');
    await chartRises(page, 'figure[data-saga="orderSaga"][data-figure="failures"]');
    await chartRises(page, 'figure[data-figure="function-errors"]');

    expect(await page.getAttribute('#charts', 'data-source')).toBe('samples');
    expect(await page.getAttribute('#alerts', 'data-source')).toBe('none');
    const charts = await page.$$eval('figure.chart', (figures) =>
      figures.map((figure) => `${figure.getAttribute('data-key')} ${figure.querySelector('canvas') ? 'drawn' : ''}`),
    );
    expect(charts).toEqual(
      expect.arrayContaining([
        'orderSaga/executions drawn',
        'orderSaga/duration drawn',
        'orderSaga/failures drawn',
        'orderSaga/waiting drawn',
        'registrationSaga/executions drawn',
        '/function-errors drawn',
      ]),
    );
    expect(await page.getAttribute('figure[data-key="orderSaga/executions"]', 'data-lines')).toBe('FAILED,SUCCEEDED');
    expect(await page.getAttribute('figure[data-key="orderSaga/failures"]', 'data-lines')).toBe(
      'InsufficientFunds,OrderFailed',
    );
    await page.close();
  });

  it('shows the alert Prometheus fires when a saga stops after its pivot, and its figures', async () => {
    prometheus = await startTestPrometheus(PROMETHEUS_PORT, endpoint.port, true);
    const page = await openMetrics();
    await page.waitForSelector('#charts[data-source="prometheus"]', { timeout: 20_000 });
    await prometheus.scraping();

    await runOrder((lambda) => {
      orderScenarios.completed(lambda);
      lambda.script(`shop-offline-${FAILED_AFTER_PIVOT.fault.functionName}`, {
        throws: FAILED_AFTER_PIVOT.fault.error,
        message: 'Order o-1 is not PENDING',
      });
    });

    const alertRow = `#alerts tr[data-alert="${FAILED_AFTER_PIVOT.alert}"][data-state="firing"]`;
    await page.waitForSelector(alertRow, { timeout: 30_000 });
    expect(await page.textContent(alertRow)).toContain(`saga=${FAILED_AFTER_PIVOT.saga}`);
    // The gauge, drawn from its first sample; the failures figure's new `error` series would rise only from its
    // second failure in Prometheus (a counter series is seen from its second sample: README, "Prometheus, locally").
    await chartRises(page, `figure[data-saga="${FAILED_AFTER_PIVOT.saga}"][data-figure="waiting"]`);
    if (process.env['METRICS_SCREENSHOT'])
      await page.screenshot({ path: process.env['METRICS_SCREENSHOT'], fullPage: true });
    await page.close();
  });
});
