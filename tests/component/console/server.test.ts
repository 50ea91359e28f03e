import { StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { startStepFunctionsEndpoint, type StepFunctionsEndpoint } from '../../../local/stepfunctions/protocol';
import { sfnClient, startFakeLambda, unitTestPort, type FakeLambda } from '../../support/fakeLambda';
import { ORDER_SAGA, orderScenarios, SAGA_MACHINES, startOrder, waitForExecution } from '../../support/sagaScenarios';

let lambda: FakeLambda;
let endpoint: StepFunctionsEndpoint;
let sfn: SFNClient;

beforeAll(async () => {
  lambda = await startFakeLambda(unitTestPort(20));
  endpoint = await startStepFunctionsEndpoint({
    port: unitTestPort(21),
    lambdaEndpoint: lambda.url,
    machines: SAGA_MACHINES,
  });
  sfn = sfnClient(endpoint.url);
});

afterAll(async () => {
  await endpoint.stop();
  await lambda.stop();
  sfn.destroy();
});

const get = async (path: string) => {
  const response = await fetch(`${endpoint.url}${path}`);
  return { status: response.status, type: response.headers.get('content-type'), body: await response.text() };
};

describe('Console of the local Step Functions endpoint', () => {
  it('serves the page on GET / and keeps POST / for the Step Functions API', async () => {
    const page = await get('/');

    expect(page.status).toBe(200);
    expect(page.type).toContain('text/html');
    expect(page.body).toContain('<title>Step Functions console');
    expect(page.body).not.toMatch(/<(script|link)[^>]+(src|href)=["']?https?:/);
    await expect(sfn.send(new StartExecutionCommand({ stateMachineArn: ORDER_SAGA, name: 'x/y' }))).rejects.toThrow(
      /Invalid Name/,
    );
  });

  it('serves the style both pages link, from itself', async () => {
    const style = await get('/console.css');
    const pages = [await get('/'), await get('/metrics.html')];

    expect(style.status).toBe(200);
    expect(style.type).toContain('text/css');
    expect(style.body).toContain('header h1 {');
    for (const page of pages) expect(page.body).toContain('<link rel="stylesheet" href="/console.css" />');
  });

  it('lists executions newest first, filtered by status, with their machine', async () => {
    orderScenarios.completed(lambda);
    const first = await startOrder(sfn, 'listed-first');
    await waitForExecution(sfn, first);
    orderScenarios.compensated(lambda);
    const second = await startOrder(sfn, 'listed-second');
    await waitForExecution(sfn, second);

    const all = JSON.parse((await get('/api/executions')).body);
    const failed = JSON.parse((await get('/api/executions?status=FAILED')).body);

    expect(all.executions.map((execution: any) => execution.name)).toEqual(['listed-second', 'listed-first']);
    expect(failed.executions).toEqual([
      expect.objectContaining({ name: 'listed-second', status: 'FAILED', stateMachineArn: ORDER_SAGA }),
    ]);
  });

  it('answers an execution with its definition, history and trace', async () => {
    const executionArn = `${ORDER_SAGA.replace(':stateMachine:', ':execution:')}:listed-second`;

    const { status, body } = await get(`/api/execution?executionArn=${encodeURIComponent(executionArn)}`);

    expect(status).toBe(200);
    const detail = JSON.parse(body);
    expect(detail.definition.StartAt).toBe('CreateOrder');
    expect(detail.events[0].type).toBe('ExecutionStarted');
    expect(detail.trace.states.Withdraw.mark).toBe('caught');
  });

  it('answers a missing execution with 404 and the API error name', async () => {
    const executionArn = `${ORDER_SAGA.replace(':stateMachine:', ':execution:')}:missing`;

    const { status, body } = await get(`/api/execution?executionArn=${encodeURIComponent(executionArn)}`);

    expect(status).toBe(404);
    expect(JSON.parse(body)).toMatchObject({ error: 'ExecutionDoesNotExist' });
  });
});
