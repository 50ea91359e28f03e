import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { thrownErrorName, type FunctionErrorPayload } from '../../lib/common/functionErrors';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../config';

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

/**
 * A failure of the Lambda service rather than of the function: the API's own exceptions keep their name
 * (`Lambda.ResourceNotFoundException`); a 5xx or a connection that fails is `Lambda.ServiceException`.
 */
function serviceFailure(caught: unknown): InvokeOutcome {
  const error = caught as { name?: string; message?: string; $fault?: string; $metadata?: { httpStatusCode?: number } };
  const status = error.$metadata?.httpStatusCode;
  const clientFault = error.$fault === 'client' && status !== undefined && status < 500;
  return {
    ok: false,
    error: clientFault ? `Lambda.${error.name ?? 'AWSLambdaException'}` : 'Lambda.ServiceException',
    cause: error.message ?? String(caught),
  };
}

/** Invokes functions through a Lambda Invoke API (serverless-offline's), once per call: Retry is the ASL's job. */
export function lambdaInvoker(endpoint: string): LambdaInvoker {
  const client = new LambdaClient({
    endpoint,
    region: LOCAL_REGION,
    credentials: {
      accessKeyId: LOCAL_CREDENTIALS.AWS_ACCESS_KEY_ID,
      secretAccessKey: LOCAL_CREDENTIALS.AWS_SECRET_ACCESS_KEY,
    },
    maxAttempts: 1,
  });
  return async (functionName, payload, signal) => {
    try {
      const response = await client.send(
        new InvokeCommand({ FunctionName: functionName, Payload: new TextEncoder().encode(JSON.stringify(payload)) }),
        { abortSignal: signal },
      );
      const { text, value } = parsePayload(response.Payload);
      return response.FunctionError === undefined ? { ok: true, payload: value } : functionFailure(text, value);
    } catch (error) {
      if (signal.aborted) throw error;
      return serviceFailure(error);
    }
  };
}
