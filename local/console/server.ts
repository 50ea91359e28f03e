import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { SFNClient } from '@aws-sdk/client-sfn';
import { redrive } from './redrive';
import type { MetricsBoard } from './metricsBoard';
import { metricsPageScript } from './metricsBundle';
import { listExecutions, listMachines, readExecution } from './stepFunctionsReader';

/**
 * The console: two pages (index.html, no framework, and metrics.html, its script bundled with uPlot; nothing
 * fetched from elsewhere) and the small JSON API they poll, answered from the Step Functions API through `sfn`
 * and from the local cloud's figures through `board`.
 *   GET /                                   the page
 *   GET /console.css                        the style both pages share
 *   GET /api/state-machines                 ListStateMachines
 *   GET /api/executions?stateMachineArn=&status=   ListExecutions, newest first
 *   GET /api/execution?executionArn=        the execution, its definition, history and trace
 *   POST /api/redrive?executionArn=         RedriveExecution (the one thing it changes: the Redrive button)
 *   GET /metrics.html, /metrics.js          the Metrics page (metricsPage.ts)
 *   GET /api/charts, /api/alerts            its figures and the alerts firing (metricsBoard.ts)
 */
export type ConsoleHandler = (request: IncomingMessage, response: ServerResponse) => Promise<void>;

const PAGE = join(__dirname, 'index.html');
const METRICS_PAGE = join(__dirname, 'metrics.html');
const STYLESHEET = join(__dirname, 'console.css');

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  response.end(text);
}

/** An SDK error as the page shows it: its name (ExecutionDoesNotExist, …) and message; 404 for missing things. */
function sendError(response: ServerResponse, error: unknown): void {
  const name = error instanceof Error ? error.name : 'Error';
  const message = error instanceof Error ? error.message : String(error);
  const status = /DoesNotExist|NotFound/.test(name)
    ? 404
    : /Invalid|Validation/.test(name)
      ? 400
      : /NotRedrivable/.test(name)
        ? 409
        : 502;
  sendJson(response, status, { error: name, message });
}

function sendPage(request: IncomingMessage, response: ServerResponse, type: string, body: Buffer | string): void {
  response.writeHead(200, {
    'content-type': `${type}; charset=utf-8`,
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
  });
  response.end(request.method === 'HEAD' ? undefined : body);
}

/** `board` serves the Metrics page's figures; without one (a console reading AWS, say) the page has none. */
export function consoleHandler(sfn: SFNClient, board?: MetricsBoard): ConsoleHandler {
  return async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://console');
    const query = (name: string) => url.searchParams.get(name) || undefined;
    try {
      if (request.method === 'POST' && url.pathname === '/api/redrive') {
        const executionArn = query('executionArn');
        if (!executionArn) return sendJson(response, 400, { error: 'Validation', message: 'executionArn is missing' });
        return sendJson(response, 200, await redrive(sfn, executionArn));
      }
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        return sendJson(response, 405, {
          error: 'MethodNotAllowed',
          message: 'The console only reads, and redrives (POST /api/redrive).',
        });
      }
      switch (url.pathname) {
        case '/':
        case '/index.html':
          // Read on each request, so that an edit to a page shows on reload.
          return sendPage(request, response, 'text/html', readFileSync(PAGE));
        case '/console.css':
          return sendPage(request, response, 'text/css', readFileSync(STYLESHEET));
        case '/metrics.html':
          return sendPage(request, response, 'text/html', readFileSync(METRICS_PAGE));
        case '/metrics.js':
          return sendPage(request, response, 'text/javascript', await metricsPageScript());
        case '/api/charts':
          return sendJson(response, 200, board ? await board.charts() : { source: null, sagas: [], charts: [] });
        case '/api/alerts':
          return sendJson(response, 200, board ? await board.alerts() : { source: null, alerts: [] });
        case '/api/state-machines':
          return sendJson(response, 200, { stateMachines: await listMachines(sfn) });
        case '/api/executions':
          return sendJson(response, 200, {
            executions: await listExecutions(sfn, {
              stateMachineArn: query('stateMachineArn'),
              status: query('status'),
            }),
          });
        case '/api/execution': {
          const executionArn = query('executionArn');
          if (!executionArn)
            return sendJson(response, 400, { error: 'Validation', message: 'executionArn is missing' });
          return sendJson(response, 200, await readExecution(sfn, executionArn));
        }
        default:
          return sendJson(response, 404, { error: 'NotFound', message: `No such page: ${url.pathname}` });
      }
    } catch (error) {
      sendError(response, error);
    }
  };
}

export interface ConsoleServer {
  url: string;
  stop: () => Promise<void>;
}

/** The console on a port of its own (`npm run console`), reading whichever Step Functions API `sfn` points at. */
export async function startConsoleServer(sfn: SFNClient, port: number, host = '127.0.0.1'): Promise<ConsoleServer> {
  const handle = consoleHandler(sfn);
  const server = createServer((request, response) => void handle(request, response));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    url: `http://${host}:${(server.address() as AddressInfo).port}`,
    stop: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
