import { createRequire } from 'node:module';

/**
 * aws-local-stepfunctions, the ASL interpreter the local endpoint runs every definition with, with its JSONPath
 * evaluation made cheaper. The library evaluates each path (every `.$` field of a Parameters, a ResultPath, a
 * Choice's Variable, the `$$.Execution.Name` of a request id: about fifteen per order saga) as jsonpath-plus's
 * `JSONPath({ path, json, wrap: false })`, called without `new`. For a scalar result (an id, a sum, a name) that
 * function returns by throwing and catching an Error of its own (`NewError`), and the stack trace each one
 * captures was 7.6% of the endpoint's CPU at one user (docs/BENCHMARKS.md). The same evaluation, with the same
 * options, started with `autostart: false` and then `evaluate`, returns the value without it: only the way the
 * value comes back changes. The library reads `JSONPath` off jsonpath-plus's exports at each call, so replacing
 * that export, in the copy the library requires, reaches it (tests/unit/local/interpreter.test.ts holds both).
 */

interface JsonPathPlus {
  JSONPath: JsonPathFunction;
}
type JsonPathFunction = {
  (this: unknown, options: unknown, ...rest: unknown[]): unknown;
  new (options: unknown, ...rest: unknown[]): { evaluate(args: Record<string, unknown>): unknown };
  prototype: object;
};

const WITHOUT_THROW = Symbol.for('saga-shop.jsonPathWithoutThrow');
const jsonPathPlus = createRequire(require.resolve('aws-local-stepfunctions'))('jsonpath-plus') as JsonPathPlus;

function withoutThrowForScalars(original: JsonPathFunction): JsonPathFunction {
  function JSONPath(this: unknown, options: unknown, ...rest: unknown[]): unknown {
    const asLibraryCalls =
      new.target === undefined &&
      rest.length === 0 &&
      typeof options === 'object' &&
      options !== null &&
      (options as { autostart?: unknown }).autostart !== false;
    if (!asLibraryCalls) {
      return new.target === undefined
        ? original.call(this, options, ...rest)
        : (Reflect.construct(original, [options, ...rest], new.target) as unknown);
    }
    // What jsonpath-plus's constructor passes to `evaluate` when it starts by itself.
    const args: Record<string, unknown> = { path: (options as { path?: unknown }).path };
    if ('json' in options) args['json'] = (options as { json: unknown }).json;
    return new original({ ...options, autostart: false }).evaluate(args);
  }
  // Its statics (the path cache, toPathArray …) and its prototype stay jsonpath-plus's own.
  Object.setPrototypeOf(JSONPath, original);
  JSONPath.prototype = original.prototype;
  return Object.assign(JSONPath as unknown as JsonPathFunction, { [WITHOUT_THROW]: true });
}

if (!(WITHOUT_THROW in jsonPathPlus.JSONPath)) jsonPathPlus.JSONPath = withoutThrowForScalars(jsonPathPlus.JSONPath);

export { StateMachine as LocalStateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
