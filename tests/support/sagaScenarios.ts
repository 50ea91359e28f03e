import { DescribeExecutionCommand, StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { MachineDefinition } from '../../local/stepfunctions/machines';
import { resourceName, stateMachineArn } from '../../local/stackNames';
import { loadDefinition } from './definitions';
import type { FakeLambda } from './fakeLambda';

/** The two sagas as the local cloud deploys them (stage `offline`), from state-machines/. */
export const SAGA_MACHINES: MachineDefinition[] = [
  { name: resourceName('orderSaga'), definition: loadDefinition('order.asl.json') },
  { name: resourceName('registrationSaga'), definition: loadDefinition('registration.asl.json') },
];
export const ORDER_SAGA = stateMachineArn(resourceName('orderSaga'));
export const REGISTRATION_SAGA = stateMachineArn(resourceName('registrationSaga'));

const fn = (name: string) => resourceName(name);
const ORDER_INPUT = { orderId: 'o-1', clientId: 'c-1', sum: 30 };

/** The function replies that drive the order saga down one path. */
export const orderScenarios = {
  /** Every step succeeds. */
  completed: (lambda: FakeLambda) => {
    lambda.script(fn('orderCreate'), { result: { orderId: 'o-1', status: 'PENDING' } });
    lambda.script(fn('billingWithdraw'), { result: { balance: 70 } });
    lambda.script(fn('orderConfirm'), { result: { orderId: 'o-1', status: 'CONFIRMED' } });
    lambda.script(fn('notifyNewOrderCreated'), { result: { sent: true } });
  },
  /** The withdrawal is refused: the order is rejected (the compensation) and the saga ends in InsufficientFunds. */
  compensated: (lambda: FakeLambda) => {
    lambda.script(fn('orderCreate'), { result: { orderId: 'o-1', status: 'PENDING' } });
    lambda.script(fn('billingWithdraw'), { throws: 'InsufficientFunds', message: 'Balance 10 is below 30' });
    lambda.script(fn('orderReject'), { result: { orderId: 'o-1', status: 'REJECTED' } });
  },
  /** The withdrawal fails once with a transient error, then succeeds. */
  retried: (lambda: FakeLambda) => {
    orderScenarios.completed(lambda);
    lambda.script(
      fn('billingWithdraw'),
      { throws: 'TransactionConflict', message: 'Transaction cancelled, please retry' },
      { result: { balance: 70 } },
    );
  },
  /** The confirmation fails on every attempt: the execution stops at ConfirmOrder, waiting for a redrive. */
  stoppedAtConfirmation: (lambda: FakeLambda) => {
    orderScenarios.completed(lambda);
    lambda.script(fn('orderConfirm'), { throws: 'DependencyFailure', message: 'The orders table is unavailable' });
  },
  /** The confirmation never answers (until the fake Lambda releases it): the execution stays RUNNING. */
  running: (lambda: FakeLambda) => {
    orderScenarios.completed(lambda);
    lambda.script(fn('orderConfirm'), { hang: true });
  },
};

export async function startOrder(sfn: SFNClient, name: string): Promise<string> {
  const { executionArn } = await sfn.send(
    new StartExecutionCommand({ stateMachineArn: ORDER_SAGA, name, input: JSON.stringify(ORDER_INPUT) }),
  );
  if (!executionArn) throw new Error('StartExecution returned no executionArn');
  return executionArn;
}

/** Waits until the execution is no longer RUNNING, or until `until` says its description is far enough. */
export async function waitForExecution(
  sfn: SFNClient,
  executionArn: string,
  until: (status: string) => boolean = (status) => status !== 'RUNNING',
): Promise<string> {
  for (let attempt = 0; attempt < 400; attempt++) {
    const { status = '' } = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (until(status)) return status;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`${executionArn} did not get there`);
}
