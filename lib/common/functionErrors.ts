/**
 * What a function's error looks like in a Lambda Invoke answer. A module without clients or observability, so
 * that the local Step Functions endpoint can read function errors without loading the Tracer (its X-Ray SDK
 * hooks every promise of the process it is loaded into; docs/BENCHMARKS.md).
 */
export interface FunctionErrorPayload {
  errorType?: string;
  errorMessage?: string;
  trace?: string[];
}

/**
 * The name of the error a function threw. On AWS it is `errorType`; serverless-offline reports every
 * error as "Error" (its issue #1631) but keeps the stack, whose first line is "<name>: <message>".
 */
export function thrownErrorName(payload: FunctionErrorPayload): string {
  if (payload.errorType && payload.errorType !== 'Error') return payload.errorType;
  const firstLine = payload.trace?.[0] ?? '';
  const match = /^([A-Za-z][A-Za-z0-9_]*): /.exec(firstLine);
  return match?.[1] ?? payload.errorType ?? 'Error';
}
