import { Agent, request } from 'undici';
import { thrownErrorName, type FunctionErrorPayload } from '../../lib/common/functionErrors';

/** What a Task learns from one call: the function's result, or the error name and cause AWS would report. */
export type InvokeOutcome = { ok: true; payload: unknown } | { ok: false; error: string; cause: string };

/** One Task's call of a function; `executionArn` says whose Task it is (the fault plan can aim at one execution). */
export type LambdaInvoker = (
  functionName: string,
  payload: unknown,
  signal: AbortSignal,
  executionArn?: string,
) => Promise<InvokeOutcome>;

/** The function name in `arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]`, or a bare name. */
export function functionNameOf(nameOrArn: string): string | undefined {
  if (!nameOrArn.startsWith('arn:')) return nameOrArn;
  return /^arn:aws:lambda:[^:]*:[^:]*:function:([^:]+)(:[^:]+)?$/.exec(nameOrArn)?.[1];
}

function parsePayload(bytes: Uint8Array | undefined): { text: string; value: unknown } {
  const text = bytes === undefined ? '' : new TextDecoder().decode(bytes);
  if (text === '') return { text, value: null };
  try {
    return { text, value: JSON.parse(text) };
  } catch {
    return { text, value: text };
  }
}

/**
 * A function's error becomes what Step Functions reports: the thrown error's name (the answer's `errorType`)
 * with the error payload as the cause; an error without a type (a crash, say) is `Lambda.Unknown`.
 */
function functionFailure(text: string, value: unknown): InvokeOutcome {
  const payload = (typeof value === 'object' && value !== null ? value : {}) as FunctionErrorPayload;
  if (payload.errorType === undefined) return { ok: false, error: 'Lambda.Unknown', cause: text };
  const error = thrownErrorName(payload);
  const cause = JSON.stringify({ errorType: error, errorMessage: payload.errorMessage ?? '', trace: payload.trace });
  return { ok: false, error, cause };
}

/** The Invoke API's path for a function. */
const invocationsPath = (functionName: string) =>
  `/2015-03-31/functions/${encodeURIComponent(functionName)}/invocations`;

/**
 * A failure of the Lambda service rather than of the function: the API's own exceptions keep their name
 * (`Lambda.ResourceNotFoundException`, from `x-amzn-ErrorType`, as the SDK reads it); a 5xx or a connection that
 * fails is `Lambda.ServiceException`.
 */
function serviceFailure(status: number, errorType: string | undefined, bytes: Uint8Array): InvokeOutcome {
  const { text, value } = parsePayload(bytes);
  if (status >= 500) return { ok: false, error: 'Lambda.ServiceException', cause: text || `HTTP ${status}` };
  const type = errorType?.split(':')[0] || 'AWSLambdaException';
  const body = (typeof value === 'object' && value !== null ? value : {}) as { Message?: string; message?: string };
  return { ok: false, error: `Lambda.${type}`, cause: body.Message ?? body.message ?? text };
}

const headerOf = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

/**
 * Invokes functions through a Lambda Invoke API (the local one, serverless/offline-invoke.js), once per call:
 * Retry is the ASL's job. Plain HTTP rather than the SDK's LambdaClient: this is the emulator's side of the
 * API, which checks no signature, and the client's signing, middleware and parsing were about a third of the
 * endpoint's busy time in a profile (docs/BENCHMARKS.md). It reads the answer as the SDK does: the status, `X-Amz-Function-Error`
 * and `x-amzn-ErrorType`.
 */
export function lambdaInvoker(endpoint: string): LambdaInvoker {
  const base = endpoint.replace(/\/+$/, '');
  // Kept-alive connections, closed well before the Invoke API's own idle timeout (60 s) so none is reused as
  // the server closes it.
  const dispatcher = new Agent({ keepAliveTimeout: 4_000, keepAliveMaxTimeout: 10_000 });
  return async (functionName, payload, signal) => {
    try {
      const response = await request(`${base}${invocationsPath(functionName)}`, {
        method: 'POST',
        body: JSON.stringify(payload),
        headers: { 'content-type': 'application/json' },
        signal,
        dispatcher,
      });
      const bytes = new Uint8Array(await response.body.arrayBuffer());
      const { statusCode: status, headers } = response;
      if (status >= 300) return serviceFailure(status, headerOf(headers['x-amzn-errortype']), bytes);
      const { text, value } = parsePayload(bytes);
      return headerOf(headers['x-amz-function-error']) === undefined
        ? { ok: true, payload: value }
        : functionFailure(text, value);
    } catch (error) {
      if (signal.aborted) throw error;
      return { ok: false, error: 'Lambda.ServiceException', cause: (error as Error).message ?? String(error) };
    }
  };
}
