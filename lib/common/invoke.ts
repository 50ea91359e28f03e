import { randomUUID } from 'node:crypto';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { lambda } from './lambda';
import { DependencyFailure, domainErrorFromName, isDomainError } from './errors';
import { DEFAULT_RETRY, withRetry, type RetryPolicy } from './retry';

interface LambdaErrorPayload {
  errorType?: string;
  errorMessage?: string;
  trace?: string[];
}

/**
 * The name of the error a function threw. On AWS it is `errorType`; serverless-offline reports every
 * error as "Error" (its issue #1631) but keeps the stack, whose first line is "<name>: <message>".
 */
export function thrownErrorName(payload: LambdaErrorPayload): string {
  if (payload.errorType && payload.errorType !== 'Error') return payload.errorType;
  const firstLine = payload.trace?.[0] ?? '';
  const match = /^([A-Za-z][A-Za-z0-9_]*): /.exec(firstLine);
  return match?.[1] ?? payload.errorType ?? 'Error';
}

/** A failure of the call itself (throttled, timed out, the function crashed): worth another try. */
const isRetryable = (error: unknown) => !isDomainError(error) || error.transient;

/**
 * Calls another service's function synchronously, as `{ requestId, input }`. Business errors come back
 * as the same typed errors the function threw (NotFound stays NotFound) and are never retried; transient
 * ones (infrastructure failures, a repeat still in progress) are retried with capped exponential backoff
 * and jitter, then reported as DependencyFailure. Every attempt carries the same request id (a new one if
 * the caller gave none), so a retry whose first attempt ran but lost its answer runs nothing twice.
 */
export async function invokeService<T>(
  functionName: string,
  input: unknown,
  options: { requestId?: string; retry?: RetryPolicy } = {},
): Promise<T> {
  const payload = JSON.stringify({ requestId: options.requestId ?? randomUUID(), input });
  try {
    return await withRetry(
      async () => {
        const response = await lambda.send(
          new InvokeCommand({ FunctionName: functionName, Payload: new TextEncoder().encode(payload) }),
        );
        const text = response.Payload === undefined ? 'null' : new TextDecoder().decode(response.Payload);
        if (response.FunctionError === undefined) return JSON.parse(text) as T;
        const failure = JSON.parse(text) as LambdaErrorPayload;
        const name = thrownErrorName(failure);
        throw (
          domainErrorFromName(name, failure.errorMessage ?? name) ??
          new DependencyFailure(`${functionName} failed: ${name}`)
        );
      },
      isRetryable,
      options.retry ?? DEFAULT_RETRY,
    );
  } catch (error) {
    if (isDomainError(error)) throw error;
    throw new DependencyFailure(`${functionName} could not be reached`, { cause: error });
  }
}
