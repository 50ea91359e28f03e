/// <reference lib="dom" /> -- the callbacks of page.$eval run in the browser
import { startConsoleHarness, graphMarks, type ConsoleHarness } from './support/consoleHarness';
import { uniqueSuffix } from '../support/api';

let harness: ConsoleHarness;

beforeAll(async () => {
  harness = await startConsoleHarness(40);
});

afterAll(async () => {
  await harness?.stop();
});

const NOT_ENTERED_ON_SUCCESS = {
  RejectOrder: 'not-entered',
  OrderRejected: 'not-entered',
  InsufficientFunds: 'not-entered',
  OrderFailed: 'not-entered',
};

describe('Step Functions console (Chromium)', () => {
  it('draws a completed order saga with every state it took succeeded', async () => {
    const executionArn = await harness.runOrder('completed', `completed-${uniqueSuffix()}`);

    const page = await harness.openExecution(executionArn);

    await page.waitForSelector('#execution[data-status="SUCCEEDED"]');
    expect(await graphMarks(page)).toEqual({
      CreateOrder: 'succeeded',
      Withdraw: 'succeeded',
      ConfirmOrder: 'succeeded',
      NotifyOrderCreated: 'succeeded',
      Confirmed: 'succeeded',
      ...NOT_ENTERED_ON_SUCCESS,
    });
    const takenToEnd = await page.$('#graph path[data-from="Confirmed"][data-to="__end"][data-taken="true"]');
    expect(takenToEnd).not.toBeNull();
    expect(await page.$$eval('#steps tr[data-step-state]', (rows) => rows.length)).toBe(5);
    await page.close();
  });

  it('draws a refused withdrawal as caught, then the compensation path to the InsufficientFunds Fail state', async () => {
    const executionArn = await harness.runOrder('compensated', `compensated-${uniqueSuffix()}`);

    const page = await harness.openExecution(executionArn);

    await page.waitForSelector('#execution[data-status="FAILED"]');
    expect(await graphMarks(page)).toEqual({
      CreateOrder: 'succeeded',
      Withdraw: 'caught',
      RejectOrder: 'compensated',
      OrderRejected: 'compensated',
      InsufficientFunds: 'failed',
      OrderFailed: 'not-entered',
      ConfirmOrder: 'not-entered',
      NotifyOrderCreated: 'not-entered',
      Confirmed: 'not-entered',
    });
    // A saga's own answer is final: nothing to redrive.
    expect(await page.$('#redrive')).toBeNull();
    const catchEdge = await page.$eval('#graph path[data-from="Withdraw"][data-to="RejectOrder"]', (path) => ({
      kind: path.getAttribute('data-kind'),
      taken: path.getAttribute('data-taken'),
      dashes: getComputedStyle(path).strokeDasharray,
    }));
    expect(catchEdge).toEqual({ kind: 'catch', taken: 'true', dashes: expect.stringMatching(/\d/) });
    // The caught state is selected first: its error and input are on show.
    const detail = await page.textContent('tr[data-detail-of="Withdraw"]');
    expect(detail).toContain('Caught: InsufficientFunds');
    expect(detail).toContain('Balance 10 is below 30');
    if (process.env['CONSOLE_SCREENSHOT'])
      await page.screenshot({ path: process.env['CONSOLE_SCREENSHOT'], fullPage: true });
    await page.close();
  });

  it('follows a running execution without a reload until it succeeds', async () => {
    const executionArn = await harness.runOrder('running', `running-${uniqueSuffix()}`);
    const page = await harness.openExecution(executionArn);
    await page.waitForSelector('#execution[data-status="RUNNING"]');
    expect(await graphMarks(page)).toMatchObject({
      CreateOrder: 'succeeded',
      Withdraw: 'succeeded',
      ConfirmOrder: 'running',
      NotifyOrderCreated: 'not-entered',
    });

    harness.lambda.release({ result: { orderId: 'o-1', status: 'CONFIRMED' } });

    await page.waitForSelector('#execution[data-status="SUCCEEDED"]', { timeout: 10_000 });
    expect(await graphMarks(page)).toMatchObject({
      ConfirmOrder: 'succeeded',
      NotifyOrderCreated: 'succeeded',
      Confirmed: 'succeeded',
    });
    await page.close();
  });

  it('lists executions newest first and filters them by status', async () => {
    const page = await harness.browser.newPage();
    await page.goto(`${harness.endpoint.url}/#/`);
    await page.waitForSelector('#executions tr[data-execution]');
    const names = await page.$$eval('#executions tr[data-execution]', (rows) =>
      rows.map((row) => row.getAttribute('data-execution')),
    );
    expect(names.map((name) => name?.split('-')[0])).toEqual(['running', 'compensated', 'completed']);

    await page.selectOption('#status-filter', 'FAILED');

    await page.waitForFunction(() => document.querySelectorAll('#executions tr[data-execution]').length === 1);
    expect(await page.getAttribute('#executions tr[data-execution]', 'data-execution')).toMatch(/^compensated-/);
    await page.close();
  });

  it('redrives an execution that stopped at a step that kept failing, and shows both visits with their attempts', async () => {
    const executionArn = await harness.runOrder('stoppedAtConfirmation', `stopped-${uniqueSuffix()}`);
    const page = await harness.openExecution(executionArn);
    await page.waitForSelector('#execution[data-status="FAILED"]');
    expect(await page.textContent('#redrive-count')).toBe('0');
    expect(await page.textContent('#redrive-message')).toContain('Stopped at ConfirmOrder');
    harness.lambda.script('shop-offline-orderConfirm', { result: { status: 'OK' } });

    await page.click('#redrive');

    await page.waitForSelector('#execution[data-status="SUCCEEDED"]', { timeout: 10_000 });
    expect(await page.textContent('#redrive-count')).toBe('1');
    expect(await page.$('#redrive')).toBeNull();
    expect(await page.textContent('tr.redrive-row[data-redrive="1"]')).toContain('resumed at ConfirmOrder');
    const confirmations = await page.$$eval('#steps tr[data-step-state="ConfirmOrder"]', (rows) =>
      rows.map((row) => [row.getAttribute('data-step-mark'), row.textContent?.includes('11 attempts')]),
    );
    expect(confirmations).toEqual([
      ['failed', true],
      ['succeeded', false],
    ]);
    expect(await graphMarks(page)).toMatchObject({ ConfirmOrder: 'succeeded', Confirmed: 'succeeded' });
    await page.close();
  });
});
