import { chromium, type Browser, type Page } from 'playwright-core';
import type { SFNClient } from '@aws-sdk/client-sfn';
import { startStepFunctionsEndpoint, type StepFunctionsEndpoint } from '../../../local/stepfunctions/protocol';
import { sfnClient, startFakeLambda, unitTestPort, type FakeLambda } from '../../support/fakeLambda';
import { orderScenarios, SAGA_MACHINES, startOrder, waitForExecution } from '../../support/sagaScenarios';

/** Debian's Chromium (`apt-get install chromium`), headless, kept off the network it would otherwise call. */
export const CHROMIUM_PATH = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export interface ConsoleHarness {
  lambda: FakeLambda;
  endpoint: StepFunctionsEndpoint;
  sfn: SFNClient;
  browser: Browser;
  /** Runs the order saga down one scripted path; waits for the end unless told when to stop waiting. */
  runOrder: (scenario: keyof typeof orderScenarios, name: string) => Promise<string>;
  /** A new page showing the console's view of an execution, once it has drawn the graph. */
  openExecution: (executionArn: string) => Promise<Page>;
  stop: () => Promise<void>;
}

/**
 * A Step Functions endpoint of its own (the real saga definitions, Tasks answered by a scripted fake Lambda)
 * serving the console, and a browser to look at it: executions that end the same way on every run.
 */
export async function startConsoleHarness(portOffset: number): Promise<ConsoleHarness> {
  const lambda = await startFakeLambda(unitTestPort(portOffset));
  const endpoint = await startStepFunctionsEndpoint({
    port: unitTestPort(portOffset + 1),
    lambdaEndpoint: lambda.url,
    machines: SAGA_MACHINES,
    // Retry schedules of minutes in a fraction of a second (the RequestInProgress retriers aside).
    timeScale: 0.001,
  });
  const sfn = sfnClient(endpoint.url);
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
  const context = await browser.newContext({ viewport: { width: 1440, height: 960 } });
  const confirmCalls = () => lambda.calls.filter((call) => call.functionName.endsWith('-orderConfirm')).length;
  return {
    lambda,
    endpoint,
    sfn,
    browser,
    runOrder: async (scenario, name) => {
      orderScenarios[scenario](lambda);
      const before = confirmCalls();
      const executionArn = await startOrder(sfn, name);
      if (scenario === 'running') await waitForExecution(sfn, executionArn, () => confirmCalls() > before);
      else await waitForExecution(sfn, executionArn);
      return executionArn;
    },
    openExecution: async (executionArn) => {
      const page = await context.newPage();
      await page.goto(`${endpoint.url}/#/execution/${encodeURIComponent(executionArn)}`);
      await page.waitForSelector('#graph g.state');
      return page;
    },
    stop: async () => {
      lambda.release({ result: null });
      await browser.close();
      await endpoint.stop();
      await lambda.stop();
      sfn.destroy();
    },
  };
}

/** Each state's mark as the graph shows it (`data-mark` of its SVG group). */
export const graphMarks = (page: Page): Promise<Record<string, string>> =>
  page.$$eval('#graph g.state', (groups) =>
    Object.fromEntries(groups.map((group) => [group.getAttribute('data-state'), group.getAttribute('data-mark')])),
  );
