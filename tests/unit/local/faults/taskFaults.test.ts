import { TaskFaultPlan, parseTaskFault, withTaskFaults } from '../../../../local/faults/taskFaults';
import type { InvokeOutcome, LambdaInvoker } from '../../../../local/stepfunctions/taskInvoker';

/** The local Step Functions endpoint's fault plan (`/_local/faults`), over a fake invoker that counts calls. */
function countingInvoker() {
  const calls: { functionName: string; executionArn?: string }[] = [];
  const invoke: LambdaInvoker = async (functionName, _payload, _signal, executionArn) => {
    calls.push({ functionName, ...(executionArn === undefined ? {} : { executionArn }) });
    return { ok: true, payload: { answer: calls.length } };
  };
  return { calls, invoke };
}
const signal = new AbortController().signal;
const A = 'arn:aws:states:us-east-1:000000000000:execution:shop-offline-orderSaga:a';
const B = 'arn:aws:states:us-east-1:000000000000:execution:shop-offline-orderSaga:b';

describe('Class: TaskFaultPlan', () => {
  it('delivers a duplicated invocation twice, one after the other, and answers the first delivery', async () => {
    const { calls, invoke } = countingInvoker();
    const plan = new TaskFaultPlan();
    plan.add(parseTaskFault(JSON.stringify({ functionName: 'f', duplicate: true })));
    const faulty = withTaskFaults(invoke, plan);

    const first = await faulty('f', {}, signal, A);
    const second = await faulty('f', {}, signal, A);

    expect(first).toEqual<InvokeOutcome>({ ok: true, payload: { answer: 1 } });
    expect(calls).toHaveLength(3);
    expect(second).toEqual<InvokeOutcome>({ ok: true, payload: { answer: 3 } });
    expect(plan.pending()).toEqual([]);
  });

  it('strikes only the execution a fault is aimed at', async () => {
    const { calls, invoke } = countingInvoker();
    const plan = new TaskFaultPlan();
    plan.add(parseTaskFault(JSON.stringify({ functionName: 'f', error: 'Lambda.ServiceException', executionArn: A })));
    const faulty = withTaskFaults(invoke, plan);

    expect(await faulty('f', {}, signal, B)).toMatchObject({ ok: true });
    expect(plan.pending(A)).toHaveLength(1);
    expect(await faulty('f', {}, signal, A)).toMatchObject({ ok: false, error: 'Lambda.ServiceException' });
    expect(calls).toEqual([{ functionName: 'f', executionArn: B }]);
  });

  it('clears one execution’s faults and keeps the others’', () => {
    const plan = new TaskFaultPlan();
    plan.add({ functionName: 'f', error: 'E', times: 5, executionArn: A });
    plan.add({ functionName: 'f', error: 'E', times: 5, executionArn: B });
    plan.clear(A);
    expect(plan.pending().map((fault) => fault.executionArn)).toEqual([B]);
    plan.clear();
    expect(plan.pending()).toEqual([]);
  });

  it('refuses a fault without an error or a duplicate, and a duplicate with an error', () => {
    expect(() => parseTaskFault(JSON.stringify({ functionName: 'f' }))).toThrow('"error"');
    expect(() => parseTaskFault(JSON.stringify({ functionName: 'f', duplicate: true, error: 'E' }))).toThrow(
      'duplicate',
    );
    expect(() => parseTaskFault(JSON.stringify({ functionName: 'f', error: 'E', executionArn: 3 }))).toThrow(
      'executionArn',
    );
  });
});
