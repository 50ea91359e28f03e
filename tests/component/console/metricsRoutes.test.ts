import { startStepFunctionsEndpoint, type StepFunctionsEndpoint } from '../../../local/stepfunctions/protocol';
import { startFakeLambda, unitTestPort, type FakeLambda } from '../../support/fakeLambda';
import { SAGA_MACHINES } from '../../support/sagaScenarios';

let lambda: FakeLambda;
let withMetrics: StepFunctionsEndpoint;
let withoutMetrics: StepFunctionsEndpoint;

beforeAll(async () => {
  lambda = await startFakeLambda(unitTestPort(22));
  const options = { lambdaEndpoint: lambda.url, machines: SAGA_MACHINES };
  withMetrics = await startStepFunctionsEndpoint({
    ...options,
    port: unitTestPort(23),
    metrics: async () => 'saga_executions_total{saga="orderSaga",status="SUCCEEDED",error=""} 1\n',
    // Nothing listens there: the page falls back to the console's own samples.
    monitoring: { prometheusUrl: `http://127.0.0.1:${unitTestPort(24)}` },
  });
  withoutMetrics = await startStepFunctionsEndpoint({ ...options, port: unitTestPort(25) });
});

afterAll(async () => {
  await withMetrics.stop();
  await withoutMetrics.stop();
  await lambda.stop();
});

const get = async (endpoint: StepFunctionsEndpoint, path: string) => {
  const response = await fetch(`${endpoint.url}${path}`);
  return { status: response.status, type: response.headers.get('content-type'), body: await response.text() };
};

describe('Metrics page of the console', () => {
  it('serves the page and its script, uPlot bundled in, nothing loaded from elsewhere', async () => {
    const page = await get(withMetrics, '/metrics.html');
    const script = await get(withMetrics, '/metrics.js');

    expect(page).toMatchObject({ status: 200, type: expect.stringContaining('text/html') });
    expect(page.body).toContain('<script src="/metrics.js"></script>');
    expect(page.body).not.toMatch(/<(script|link)[^>]+(src|href)=["']?https?:/);
    expect(script).toMatchObject({ status: 200, type: expect.stringContaining('text/javascript') });
    expect(script.body).toContain('.uplot');
    expect(script.body).not.toMatch(/import\s*\(|from\s*["']https?:/);
  });

  it('answers the figures from its own samples when Prometheus does not answer, and no alerts', async () => {
    const charts = JSON.parse((await get(withMetrics, '/api/charts')).body);
    const alerts = JSON.parse((await get(withMetrics, '/api/alerts')).body);

    expect(charts.source).toBe('samples');
    expect(charts.sagas).toEqual(['orderSaga']);
    expect(charts.charts.map((chart: any) => `${chart.saga ?? ''}/${chart.figure}`)).toEqual([
      'orderSaga/executions',
      'orderSaga/duration',
      'orderSaga/failures',
      'orderSaga/waiting',
      '/function-errors',
      '/money',
      '/business',
    ]);
    expect(alerts).toEqual({ source: null, alerts: [] });
  });

  it('has no figures where the endpoint has no /metrics', async () => {
    expect(JSON.parse((await get(withoutMetrics, '/api/charts')).body)).toEqual({
      source: null,
      sagas: [],
      charts: [],
    });
  });
});
