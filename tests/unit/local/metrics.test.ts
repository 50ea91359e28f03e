import { LocalMetrics } from '../../../local/metrics';
import type { ExecutionRecord } from '../../../local/stepfunctions/store';
import { SAGA_MACHINES } from '../../support/sagaScenarios';

const execution = (overrides: Partial<ExecutionRecord>): ExecutionRecord => ({
  executionArn: 'arn:aws:states:us-east-1:000000000000:execution:shop-offline-orderSaga:x',
  stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:shop-offline-orderSaga',
  machineName: 'shop-offline-orderSaga',
  name: 'x',
  status: 'SUCCEEDED',
  startDate: 1_000,
  stopDate: 1_250,
  input: '{}',
  history: [],
  ...overrides,
});

describe('Class: LocalMetrics', () => {
  it("starts every refusal of each saga, and its executions waiting for a redrive, at 0 for Prometheus' increase()", async () => {
    const metrics = new LocalMetrics();

    metrics.expectMachines(SAGA_MACHINES);

    const orderEndings = [
      ...(await metrics.registry.metrics()).matchAll(/^saga_executions_total\{saga="orderSaga",(.*)\} (\d+)$/gm),
    ];
    expect(orderEndings.map(([, labels, value]) => `${labels} ${value}`)).toEqual([
      'status="SUCCEEDED",error="" 0',
      'status="FAILED",error="InsufficientFunds" 0',
      'status="FAILED",error="OrderFailed" 0',
    ]);
    expect(await metrics.registry.metrics()).toContain('saga_executions_waiting_for_redrive{saga="orderSaga"} 0');
    expect(await metrics.registry.metrics()).toContain(
      'saga_executions_waiting_for_redrive{saga="registrationSaga"} 0',
    );
  });

  it("counts executions waiting for a redrive, whatever their error, leaving out the saga's refusals", async () => {
    const metrics = new LocalMetrics();
    metrics.expectMachines(SAGA_MACHINES);
    const waiting = async () =>
      /^saga_executions_waiting_for_redrive\{saga="orderSaga"\} (\d+)$/m.exec(await metrics.registry.metrics())?.[1];

    metrics.observeExecution(execution({ executionArn: 'a', status: 'FAILED', error: 'Lambda.ServiceException' }));
    metrics.observeExecution(execution({ executionArn: 'b', status: 'FAILED', error: 'InvalidTransition' }));
    metrics.observeExecution(execution({ executionArn: 'c', status: 'ABORTED' }));
    metrics.observeExecution(execution({ executionArn: 'd', status: 'FAILED', error: 'InsufficientFunds' }));
    metrics.observeExecution(execution({ executionArn: 'e', status: 'FAILED', error: 'OrderFailed' }));
    expect(await waiting()).toBe('3');

    // Redriven: failing again counts it once; a success or a refusal ends its wait.
    metrics.observeExecution(execution({ executionArn: 'a', status: 'FAILED', error: 'Lambda.ServiceException' }));
    expect(await waiting()).toBe('3');
    metrics.observeExecution(execution({ executionArn: 'a' }));
    metrics.observeExecution(execution({ executionArn: 'b', status: 'FAILED', error: 'InsufficientFunds' }));
    expect(await waiting()).toBe('1');
  });

  it('counts a kept execution that waits for a redrive, and only the counts of executions closing now', async () => {
    const metrics = new LocalMetrics();
    metrics.expectMachines(SAGA_MACHINES);

    metrics.observeKeptExecution(execution({ executionArn: 'a', status: 'FAILED', error: 'Lambda.ServiceException' }));
    metrics.observeKeptExecution(execution({ executionArn: 'b', status: 'FAILED', error: 'InsufficientFunds' }));

    const text = await metrics.registry.metrics();
    expect(text).toContain('saga_executions_waiting_for_redrive{saga="orderSaga"} 1');
    expect(text).not.toContain('error="Lambda.ServiceException"');
    expect(text).toContain('saga_executions_total{saga="orderSaga",status="FAILED",error="InsufficientFunds"} 0');
  });

  it('counts closed executions by saga, status and error, with their duration', async () => {
    const metrics = new LocalMetrics();

    metrics.observeExecution(execution({}));
    metrics.observeExecution(
      execution({
        status: 'FAILED',
        error: 'InsufficientFunds',
        history: [
          {
            id: 1,
            previousEventId: 0,
            timestamp: 1,
            type: 'LambdaFunctionScheduled',
            lambdaFunctionScheduledEventDetails: {
              resource: 'arn:aws:lambda:us-east-1:000000000000:function:shop-offline-billingWithdraw',
            },
          },
          {
            id: 2,
            previousEventId: 1,
            timestamp: 2,
            type: 'LambdaFunctionFailed',
            lambdaFunctionFailedEventDetails: { error: 'InsufficientFunds' },
          },
        ],
      }),
    );

    const text = await metrics.registry.metrics();
    expect(text).toContain('saga_executions_total{saga="orderSaga",status="SUCCEEDED",error=""} 1');
    expect(text).toContain('saga_executions_total{saga="orderSaga",status="FAILED",error="InsufficientFunds"} 1');
    expect(text).toContain('saga_duration_seconds_bucket{le="0.3",saga="orderSaga",status="SUCCEEDED"} 1');
    expect(text).toContain('lambda_errors_total{function="billingWithdraw",error="InsufficientFunds"} 1');
  });

  it('counts a redriven execution at each close, and each failed call once', async () => {
    const metrics = new LocalMetrics();
    const confirm = { resource: 'arn:aws:lambda:us-east-1:000000000000:function:shop-offline-orderConfirm' };
    const failedRun = [
      {
        id: 1,
        previousEventId: 0,
        timestamp: 1,
        type: 'LambdaFunctionScheduled',
        lambdaFunctionScheduledEventDetails: confirm,
      },
      {
        id: 2,
        previousEventId: 1,
        timestamp: 2,
        type: 'LambdaFunctionFailed',
        lambdaFunctionFailedEventDetails: { error: 'DependencyFailure' },
      },
    ];
    const redrivenRun = [
      {
        id: 3,
        previousEventId: 2,
        timestamp: 3,
        type: 'ExecutionRedriven',
        executionRedrivenEventDetails: { redriveCount: 1 },
      },
      {
        id: 4,
        previousEventId: 3,
        timestamp: 4,
        type: 'LambdaFunctionScheduled',
        lambdaFunctionScheduledEventDetails: confirm,
      },
      { id: 5, previousEventId: 4, timestamp: 5, type: 'LambdaFunctionSucceeded' },
    ];

    metrics.observeExecution(execution({ status: 'FAILED', error: 'DependencyFailure', history: failedRun }));
    metrics.observeExecution(execution({ history: [...failedRun, ...redrivenRun] }));

    const text = await metrics.registry.metrics();
    expect(text).toContain('saga_executions_total{saga="orderSaga",status="FAILED",error="DependencyFailure"} 1');
    expect(text).toContain('saga_executions_total{saga="orderSaga",status="SUCCEEDED",error=""} 1');
    expect(text).toContain('lambda_errors_total{function="orderConfirm",error="DependencyFailure"} 1');
  });

  it("reads function durations and embedded business metrics from serverless-offline's output", async () => {
    const metrics = new LocalMetrics();

    metrics.observeOfflineLine('(λ: billingWithdraw) RequestId: 5f0a  Duration: 42.50 ms  Billed Duration: 43 ms');
    metrics.observeOfflineLine(
      '{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"SagaShop","Dimensions":[["service","reason"]],"Metrics":[{"Name":"OrdersRejected","Unit":"Count"}]}]},"service":"order","reason":"InsufficientFunds","OrdersRejected":1}',
    );
    metrics.observeOfflineLine(
      '{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"SagaShop","Dimensions":[["service"]],"Metrics":[{"Name":"MoneyWithdrawn","Unit":"None"}]}]},"service":"billing","MoneyWithdrawn":12.5}',
    );
    metrics.observeOfflineLine('POST /dev/clientService/client/add (λ: clientAdd)');

    const text = await metrics.registry.metrics();
    expect(text).toContain('lambda_duration_seconds_sum{function="billingWithdraw"} 0.0425');
    expect(text).toContain(
      'shop_business_events_total{event="OrdersRejected",service="order",reason="InsufficientFunds"} 1',
    );
    expect(text).toContain('shop_money_moved_total{event="MoneyWithdrawn"} 12.5');
  });
  it("counts injected faults from the functions' log lines, by function and kind", async () => {
    const metrics = new LocalMetrics();
    const line = (kind: string, fn: string) =>
      JSON.stringify({
        level: 'WARN',
        message: 'Injected fault',
        function_name: `shop-offline-${fn}`,
        fault: { kind },
      });

    metrics.observeOfflineLine(line('after', 'billingWithdraw'));
    metrics.observeOfflineLine(line('after', 'billingWithdraw'));
    metrics.observeOfflineLine(line('duplicate', 'orderCreate'));
    metrics.observeOfflineLine('{"level":"INFO","message":"Money moved"}');

    const text = await metrics.registry.metrics();
    expect(text).toContain('injected_faults_total{function="billingWithdraw",kind="after"} 2');
    expect(text).toContain('injected_faults_total{function="orderCreate",kind="duplicate"} 1');
  });
});
