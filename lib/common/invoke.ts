import { randomUUID } from 'node:crypto';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { lambda } from './lambda';
import { DependencyFailure, domainErrorFromName, isDomainError } from './errors';
import { thrownErrorName, type FunctionErrorPayload } from './functionErrors';
import { DEFAULT_RETRY, withRetry, type RetryPolicy } from './retry';

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
        const failure = JSON.parse(text) as FunctionErrorPayload;
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
