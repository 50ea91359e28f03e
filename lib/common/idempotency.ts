import { IdempotencyConfig } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { makeHandlerIdempotent } from '@aws-lambda-powertools/idempotency/middleware';
import type { MiddlewareObj, Request } from '@middy/core';
import { idempotencyDynamoDb } from './aws';
import { tables } from './config';
import { fromIdempotencyError } from './errors';
import { logger } from './observability';
import { answerFor, HttpResponse, type ServiceCall } from './serviceEvent';

/**
 * How long a request id is remembered: 24 hours. It must outlive every way a call can be repeated. The
 * longest is a saga step after the pivot: up to 10 retries with delays capped at 30 s (about 3 minutes of
 * waiting plus 11 runs of at most the 10 s function timeout, so under 6 minutes in all); a client retrying
 * over HTTP after a lost answer does so within minutes, or hours for one that was offline. A day covers
 * all of these with a wide margin, and the records expire by themselves (TTL on `expiration`).
 */
export const IDEMPOTENCY_WINDOW_SECONDS = 24 * 60 * 60;

/**
 * The key is read from the normalized `ServiceCall`, so an HTTP call (X-Request-Id / Idempotency-Key) and a
 * direct one (a Task's `<execution name>/<state name>`) are keyed alike. It is the request id together with
 * the caller's clientId, so on the public API two clients' keys never meet (calls without a caller have a
 * null there); Powertools prefixes it with the function name, so one id on two functions is two keys. A
 * call without a request id yields null and simply runs (the data-level guards still hold).
 */
export const IDEMPOTENCY_KEY_PATH = 'requestId && [caller.clientId, requestId]';
/** The same key with another input is refused (422) rather than answered with the first call's result. */
export const IDEMPOTENCY_PAYLOAD_PATH = 'input';

export function idempotencyConfig(): IdempotencyConfig {
  return new IdempotencyConfig({
    eventKeyJmesPath: IDEMPOTENCY_KEY_PATH,
    payloadValidationJmesPath: IDEMPOTENCY_PAYLOAD_PATH,
    expiresAfterSeconds: IDEMPOTENCY_WINDOW_SECONDS,
  });
}

/** The options of Powertools' middleware for one function, each with its own store (a store keeps one config). */
export function idempotencyOptions(functionName: string): Parameters<typeof makeHandlerIdempotent>[0] {
  return {
    persistenceStore: new DynamoDBPersistenceLayer({
      tableName: tables.idempotency(),
      awsSdkV3Client: idempotencyDynamoDb,
    }),
    config: idempotencyConfig(),
    keyPrefix: functionName,
  };
}

/** What a handler's result is stored as: JSON, and an `HttpResponse` kept apart so a replay rebuilds it. */
type StoredAnswer = { result?: unknown } | { httpResponse: HttpResponse };

function toStored(result: unknown): StoredAnswer {
  const answer = result instanceof HttpResponse ? { httpResponse: result } : { result };
  return JSON.parse(JSON.stringify(answer)) as StoredAnswer;
}

function fromStored(stored: StoredAnswer): unknown {
  if ('httpResponse' in stored) {
    const { body, statusCode, headers, cookies } = stored.httpResponse;
    return new HttpResponse(body, statusCode, headers, cookies);
  }
  return stored.result;
}

type PowertoolsMiddleware = ReturnType<typeof makeHandlerIdempotent>;
type Phase = (request: Request) => Promise<unknown>;
const phase = (fn: PowertoolsMiddleware['before']) => fn as unknown as Phase;

/**
 * Powertools 2.35.0's middleware deletes the idempotency record in `onError` whatever raised the error,
 * even its own `before` (powertools-lambda-typescript issue #5675): a refused concurrent repeat (in
 * progress) deletes the running call's record, and a refused payload mismatch deletes the completed one,
 * so the next repeat runs the handler again. This wrapper remembers that `before` failed and then leaves
 * the record alone; errors of the handler (and of saving its result) still delete it, so a retry can run.
 *
 * It also stores the result in a JSON envelope (an `HttpResponse` survives the round trip) and turns a
 * stored answer into what the caller expects: Middy skips every `after` on an early return, including
 * `serviceEvent()`'s.
 */
export function guardIdempotency(inner: (request: Request) => PowertoolsMiddleware): MiddlewareObj<ServiceCall> {
  const refusedBefore = new WeakSet<Request>();
  return {
    before: async (request) => {
      try {
        const stored = await phase(inner(request).before)(request);
        // null, not undefined, for a stored empty answer: Middy would take undefined for "no early answer".
        if (stored !== undefined) return answerFor(request, fromStored(stored as StoredAnswer)) ?? null;
      } catch (error) {
        refusedBefore.add(request);
        throw error;
      }
      return undefined;
    },
    after: async (request) => {
      const result = request.response;
      request.response = toStored(result);
      try {
        await phase(inner(request).after!)(request);
      } finally {
        request.response = result;
      }
    },
    onError: async (request) => {
      if (!refusedBefore.has(request)) {
        try {
          await phase(inner(request).onError!)(request);
        } catch (error) {
          // The record stays in progress until the function's timeout passes; the caller gets the real error.
          logger.warn('Could not release the idempotency record', { error: error as Error });
        }
      }
      request.error = fromIdempotencyError(request.error) as Error;
    },
  };
}

const perFunction = new Map<string, PowertoolsMiddleware>();

function powertoolsFor(request: Request): PowertoolsMiddleware {
  const functionName = request.context.functionName;
  let middleware = perFunction.get(functionName);
  if (middleware === undefined) {
    middleware = makeHandlerIdempotent(idempotencyOptions(functionName));
    perFunction.set(functionName, middleware);
  }
  return middleware;
}

/**
 * Makes a state-changing handler run once per request id: a repeat gets the first answer, a concurrent
 * repeat 409 (RequestInProgress, transient), the same id with another input 422 (IdempotencyKeyReused).
 * It comes last in the chain, after `serviceEvent()`, the caller check and `validInput()` (as `serviceHandler`,
 * lib/common/handler.ts, places it), so it keys on the normalized, validated call and stores the handler's plain
 * result. (In a chaos run of the local cloud, the fault points go around it: `serviceHandler`'s fault hook.)
 */
export function idempotent(): MiddlewareObj<ServiceCall> {
  return guardIdempotency(powertoolsFor);
}
