import { createRequire } from 'node:module';
import { LocalStateMachine, type StateMachineDefinition } from '../../../local/stepfunctions/interpreter';

type JsonPath = (options: Record<string, unknown>) => unknown;
// The copy of jsonpath-plus that aws-local-stepfunctions requires, which the interpreter module changed.
const jsonPathPlus = createRequire(require.resolve('aws-local-stepfunctions'))('jsonpath-plus') as {
  JSONPath: JsonPath;
};
// jsonpath-plus's own function: the replacement keeps it as its prototype, for the statics.
const original = Object.getPrototypeOf(jsonPathPlus.JSONPath) as JsonPath;

describe('the local endpoint’s ASL interpreter', () => {
  const json = {
    orderId: 'order-1',
    sum: 12.5,
    paid: false,
    note: null,
    order: { id: 'x', lines: [{ n: 1 }, { n: 2 }, { n: 3 }] },
    empty: '',
    zero: 0,
  };

  it.each([
    '$',
    '$.orderId',
    '$.sum',
    '$.paid',
    '$.note',
    '$.empty',
    '$.zero',
    '$.order',
    '$.order.id',
    '$.order.lines',
    '$.order.lines[1]',
    '$.order.lines[1].n',
    '$.order.lines[*].n',
    '$.order.lines[?(@.n > 1)]',
    '$..n',
    '$.missing',
    '$.order.missing.deeper',
  ])('evaluates %s to what jsonpath-plus gives, scalars included', (path) => {
    expect(jsonPathPlus.JSONPath).not.toBe(original);
    expect(original.name).toBe('JSONPath');

    expect(jsonPathPlus.JSONPath({ path, json, wrap: false })).toEqual(original({ path, json, wrap: false }));
  });

  it('leaves the other ways of calling jsonpath-plus as they were', () => {
    const wrapped = { path: '$.orderId', json };
    expect(jsonPathPlus.JSONPath(wrapped)).toEqual(['order-1']);
    expect(jsonPathPlus.JSONPath({ path: '$.orderId', json, wrap: false, autostart: false })).toBeInstanceOf(original);
    // Without the document, the same refusal as jsonpath-plus's.
    expect(() => original({ path: '$.orderId' })).toThrow('You must supply a "json" property');
    expect(() => jsonPathPlus.JSONPath({ path: '$.orderId' })).toThrow('You must supply a "json" property');
  });

  it('is what the library calls for every path of a state', async () => {
    // Prepare: a Pass state whose Parameters take two scalars of the input and one of the context.
    const definition = {
      StartAt: 'Pick',
      States: {
        Pick: {
          Type: 'Pass',
          Parameters: { 'id.$': '$.orderId', 'sum.$': '$.sum', 'name.$': '$$.Execution.Name' },
          End: true,
        },
      },
    } as unknown as StateMachineDefinition;
    const calls = jest.spyOn(jsonPathPlus, 'JSONPath');

    try {
      // Act
      const run = new LocalStateMachine(definition, { validationOptions: { noValidate: true } }).run(json, {
        context: { Execution: { Name: 'key-1' } } as never,
      });

      // Assess: the values, and each of the three paths went through the export the interpreter module replaced.
      await expect(run.result).resolves.toEqual({ id: 'order-1', sum: 12.5, name: 'key-1' });
      expect(calls.mock.calls.map(([options]) => (options as { path: string }).path)).toEqual(
        expect.arrayContaining(['$.orderId', '$.sum', '$.Execution.Name']),
      );
    } finally {
      calls.mockRestore();
    }
  });
});
