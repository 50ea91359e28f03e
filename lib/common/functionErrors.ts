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
 * The name of the error a function threw: its `errorType`, which AWS's Node.js runtime sets to the error's
 * `name`, and the local Invoke API too (serverless/offline-invoke.js).
 */
export function thrownErrorName(payload: FunctionErrorPayload): string {
  return payload.errorType ?? 'Error';
}
