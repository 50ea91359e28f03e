import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SFNClient } from '@aws-sdk/client-sfn';
import { LOCAL_REGION } from '../config';
import { MetricsBoard, type MetricsBoardOptions } from '../console/metricsBoard';
import { consoleHandler, type ConsoleHandler } from '../console/server';
import { readerClient } from '../console/stepFunctionsReader';
import { StepFunctionsError, StepFunctionsService, type StepFunctionsServiceOptions } from './service';
import { TaskFaultPlan, parseTaskFault, withTaskFaults } from '../faults/taskFaults';
import { lambdaInvoker } from './taskInvoker';

export interface StepFunctionsEndpoint {
  url: string;
  port: number;
  service: StepFunctionsService;
  /** Faults to inject into Task invocations (also reachable over HTTP: POST/DELETE /_local/faults). */
  faults: TaskFaultPlan;
  /** Stops listening, interrupts running executions (they resume on the next start) and saves. */
  stop: () => Promise<void>;
}

export type StepFunctionsEndpointOptions = Omit<StepFunctionsServiceOptions, 'invoke'> & {
  /** 0 picks a free port. */
  port: number;
  /** The Lambda Invoke API the Tasks call (serverless-offline's). */
  lambdaEndpoint: string;
  invoke?: StepFunctionsServiceOptions['invoke'];
  log?: (line: string) => void;
  /**
   * Interrupted executions run again once this settles (fulfilled: a rejection means the cloud is not coming
   * up, and they stay for the next start); at once without it. The local cloud passes the Lambda runtime's
   * start: its Tasks call functions that, on a start, are still booting when this endpoint already listens.
   */
  resumeAfter?: Promise<unknown>;
  /** The Prometheus text served on GET /metrics. */
  metrics?: () => Promise<string>;
  /** How the console's Metrics page gets those figures: Prometheus' address when one scrapes them, … */
  monitoring?: Omit<MetricsBoardOptions, 'scrape'>;
};

const TARGET_PREFIX = 'AWSStepFunctions.';
const CONTENT_TYPE = 'application/x-amz-json-1.0';

function send(response: ServerResponse, status: number, body: unknown, errorType?: string): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': CONTENT_TYPE,
    'content-length': Buffer.byteLength(text),
    ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
  });
  response.end(text);
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The AWS JSON 1.0 protocol `@aws-sdk/client-sfn` speaks: `POST /` with `X-Amz-Target:
 * AWSStepFunctions.<Action>` and a JSON body; errors are a 400 with `{"__type": "<Name>", "message": …}`.
 */
async function handle(service: StepFunctionsService, request: IncomingMessage, response: ServerResponse) {
  const target = String(request.headers['x-amz-target'] ?? '');
  const action = target.startsWith(TARGET_PREFIX) ? service.actions[target.slice(TARGET_PREFIX.length)] : undefined;
  try {
    if (request.method !== 'POST' || action === undefined) {
      throw new StepFunctionsError('UnknownOperationException', `Unknown operation: ${target || request.method}`);
    }
    const body = await readBody(request);
    let parsed: unknown;
    try {
      parsed = body.trim() === '' ? {} : JSON.parse(body);
    } catch {
      throw new StepFunctionsError('SerializationException', 'The request body is not JSON.');
    }
    // TestState answers asynchronously; the other actions at once.
    send(response, 200, await action(parsed as Record<string, unknown>));
  } catch (error) {
    if (error instanceof StepFunctionsError)
      send(response, 400, { __type: error.type, message: error.message }, error.type);
    else send(response, 500, { __type: 'InternalFailure', message: String(error) }, 'InternalFailure');
  }
}

const FAULTS_PATH = '/_local/faults';

/**
 * POST /_local/faults adds a fault (see local/faults/taskFaults.ts); GET lists those still planned and DELETE
 * clears them, all of them or, with `?executionArn=<arn>`, one execution's. Local tooling, not AWS's API.
 */
async function handleFaults(plan: TaskFaultPlan, request: IncomingMessage, response: ServerResponse) {
  try {
    const executionArn = new URL(request.url ?? '', 'http://local').searchParams.get('executionArn') ?? undefined;
    if (request.method === 'GET') return send(response, 200, { faults: plan.pending(executionArn) });
    if (request.method === 'DELETE') plan.clear(executionArn);
    else if (request.method === 'POST') plan.add(parseTaskFault(await readBody(request)));
    else throw new Error('Use POST to add a fault, GET to list them or DELETE to clear them');
    response.writeHead(204).end();
  } catch (error) {
    send(response, 400, { message: error instanceof Error ? error.message : String(error) });
  }
}

async function serveMetrics(metrics: () => Promise<string>, response: ServerResponse) {
  const text = await metrics();
  response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(text);
}

/**
 * Starts the local Step Functions API on `options.port` and resumes what a previous stop interrupted (once
 * `resumeAfter` has settled, when given).
 */
export async function startStepFunctionsEndpoint(
  options: StepFunctionsEndpointOptions,
): Promise<StepFunctionsEndpoint> {
  // Handled from here on: a runtime that fails to start while this one still starts is no unhandled rejection.
  const runtimeUp = options.resumeAfter?.then(
    () => true,
    () => false,
  );
  const faults = new TaskFaultPlan();
  const service = new StepFunctionsService({
    ...options,
    invoke: withTaskFaults(options.invoke ?? lambdaInvoker(options.lambdaEndpoint), faults),
  });
  // GET requests are the console's (local/console/), which reads this same API through the SDK like any client.
  const consolePage: { sfn?: SFNClient; handle?: ConsoleHandler } = {};
  const server = createServer((request, response) => {
    if (request.url?.split('?')[0] === FAULTS_PATH) void handleFaults(faults, request, response);
    else if (request.url === '/metrics' && options.metrics) void serveMetrics(options.metrics, response);
    else if (consolePage.handle && (request.method === 'GET' || request.method === 'HEAD'))
      void consolePage.handle(request, response);
    // The console's one action (its Redrive button); POST / stays the Step Functions API.
    else if (consolePage.handle && request.method === 'POST' && request.url?.startsWith('/api/'))
      void consolePage.handle(request, response);
    else void handle(service, request, response);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  let stopping = false;
  const resume = () => {
    if (stopping) return;
    const resumed = service.resumeInterrupted();
    if (resumed.length > 0) options.log?.(`step functions: ${resumed.length} interrupted execution(s) started again`);
  };
  if (runtimeUp === undefined) resume();
  else void runtimeUp.then((up) => up && resume());
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  const sfn = readerClient({ endpoint: url, region: LOCAL_REGION });
  const board = options.metrics ? new MetricsBoard({ ...options.monitoring, scrape: options.metrics }) : undefined;
  Object.assign(consolePage, { sfn, handle: consoleHandler(sfn, board) });
  return {
    url,
    port,
    service,
    faults,
    stop: async () => {
      stopping = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      sfn.destroy();
      board?.close();
      await service.close();
    },
  };
}
