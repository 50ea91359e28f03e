import type { MiddlewareObj, Request } from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import * as z from 'zod';
import { httpStatusOf, isDomainError, PayloadTooLarge, ValidationError } from './errors';
import { correlationIdOf, logger } from './observability';

/** Bodies above this are refused before parsing: no endpoint of this API takes more than a few hundred bytes. */
export const MAX_BODY_BYTES = 64 * 1024;

/** The caller as the gateway's authorizer established it: never read from a body or a header. */
export interface Caller {
  userId: string;
  clientId: string;
  /** Set by the session authorizer; absent for callers established otherwise. */
  login?: string;
}

/**
 * What every service handler receives, whichever way it was called: through API Gateway (the dev or the
 * public API) or directly through Lambda Invoke (a Step Functions Task, another service).
 */
export interface ServiceCall<TInput = unknown> {
  /** X-Request-Id / Idempotency-Key of an HTTP call, or the request id a Task or a service passes. */
  requestId?: string;
  input: TInput;
  caller?: Caller;
  /** An HTTP call's path: what the one function answering several literal routes (the dev probes) reads. */
  path?: string;
  /** Every Cookie header value of an HTTP call, for the handler that asks for them (`cookies`: logout). */
  cookies?: string[];
}

/** What a handler's edge reads of an HTTP event besides its headers, path parameters and authorizer. */
export interface EdgeOptions {
  /** Whether a POST's (PUT's, PATCH's) body is parsed as the input; false for a handler that takes none. */
  readsBody?: boolean;
  /** Whether the call carries the request's Cookie header values (logout reads its session from them). */
  cookies?: boolean;
}

/**
 * The one rule for an HTTP call's `Idempotency-Key` (or `X-Request-Id`), on every endpoint, checked here at
 * the edge before anything runs: one header, 1 to 256 visible ASCII characters, no comma. A comma is how
 * HTTP joins a repeated header into one value, so a key with one could not be told from two keys. What a
 * service derives from the key internally (a scope, a prefix, a digest) never counts against the limit.
 */
export const MAX_IDEMPOTENCY_KEY_CHARS = 256;
const IDEMPOTENCY_KEY_PATTERN = /^[\x21-\x2B\x2D-\x7E]+$/;
const IDEMPOTENCY_HEADERS = ['Idempotency-Key', 'X-Request-Id'] as const;

/** A direct invocation's payload: `{ requestId?, input }`. */
const DirectCall = z.object({
  requestId: z.string().min(1).max(MAX_IDEMPOTENCY_KEY_CHARS).optional(),
  input: z.unknown(),
});

/** A handler returns a plain body, or this when the HTTP response needs a status or headers of its own. */
export class HttpResponse<TBody = unknown> {
  constructor(
    readonly body: TBody,
    readonly statusCode = 200,
    readonly headers: Record<string, string> = {},
    readonly cookies: string[] = [],
  ) {}
}

export function isHttpEvent(event: unknown): event is APIGatewayProxyEvent {
  return typeof event === 'object' && event !== null && 'httpMethod' in event && 'requestContext' in event;
}

function header(event: APIGatewayProxyEvent, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted && value) return value;
  }
  return undefined;
}

/** Every value a header was sent with: API Gateway keeps a repeated header's values in `multiValueHeaders`. */
function headerValues(event: APIGatewayProxyEvent, name: string): string[] {
  const wanted = name.toLowerCase();
  const values: string[] = [];
  for (const [key, list] of Object.entries(event.multiValueHeaders ?? {})) {
    if (key.toLowerCase() === wanted && list) values.push(...list);
  }
  if (values.length > 0) return values;
  const single = header(event, wanted);
  return single === undefined ? [] : [single];
}

/** The caller's Idempotency-Key (X-Request-Id is its older name, used when it is absent), or 400. */
function idempotencyKeyOf(event: APIGatewayProxyEvent): string | undefined {
  for (const name of IDEMPOTENCY_HEADERS) {
    const values = headerValues(event, name);
    if (values.length === 0) continue;
    const [key] = values;
    if (values.length > 1) throw new ValidationError(`Send one ${name} header, not ${values.length}`);
    if (key === undefined || key.length > MAX_IDEMPOTENCY_KEY_CHARS || !IDEMPOTENCY_KEY_PATTERN.test(key)) {
      throw new ValidationError(
        `${name} must be 1 to ${MAX_IDEMPOTENCY_KEY_CHARS} visible ASCII characters, without a comma`,
      );
    }
    return key;
  }
  return undefined;
}

/** The headers of an API Gateway request, proxy or authorizer event alike. */
export interface WithHeaders {
  headers?: Record<string, string | undefined> | null;
  multiValueHeaders?: Record<string, string[] | undefined> | null;
}

/**
 * Every Cookie header the request carried, whatever its casing: a second header smuggling another `session`
 * pair must be seen, so that the strict cookie parser (lib/auth/sessionCookie.ts) can refuse the ambiguity.
 */
export function cookieHeadersOf(event: WithHeaders): string[] {
  const values: string[] = [];
  for (const [name, list] of Object.entries(event.multiValueHeaders ?? {})) {
    if (name.toLowerCase() === 'cookie' && list) values.push(...list);
  }
  if (values.length === 0) {
    for (const [name, value] of Object.entries(event.headers ?? {})) {
      if (name.toLowerCase() === 'cookie' && value) values.push(value);
    }
  }
  return values;
}

function parseJsonBody(event: APIGatewayProxyEvent): unknown {
  if (event.body === null || event.body === undefined || event.body === '') {
    throw new ValidationError('Request body is required');
  }
  const raw = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  if (Buffer.byteLength(raw, 'utf8') > MAX_BODY_BYTES) {
    throw new PayloadTooLarge(`Request body must be at most ${MAX_BODY_BYTES} bytes`);
  }
  try {
    return JSON.parse(raw);
  } catch {
    throw new ValidationError('Request body is not valid JSON');
  }
}

function callerOf(event: APIGatewayProxyEvent): Caller | undefined {
  const context = event.requestContext?.authorizer;
  const userId = context?.['userId'];
  const clientId = context?.['clientId'];
  const login = context?.['login'];
  if (typeof userId !== 'string' || typeof clientId !== 'string') return undefined;
  return typeof login === 'string' ? { userId, clientId, login } : { userId, clientId };
}

export function fromHttpEvent(event: APIGatewayProxyEvent, options: EdgeOptions = {}): ServiceCall {
  const hasBody = event.httpMethod !== 'GET' && event.httpMethod !== 'HEAD' && event.httpMethod !== 'DELETE';
  const readsBody = hasBody && options.readsBody !== false;
  const requestId = idempotencyKeyOf(event);
  const caller = callerOf(event);
  const cookies = options.cookies === true ? cookieHeadersOf(event) : undefined;
  return {
    ...(requestId === undefined ? {} : { requestId }),
    input: readsBody ? parseJsonBody(event) : { ...(event.pathParameters ?? {}) },
    ...(caller === undefined ? {} : { caller }),
    path: event.path,
    ...(cookies === undefined ? {} : { cookies }),
  };
}

export function fromDirectEvent(event: unknown): ServiceCall {
  const parsed = DirectCall.safeParse(event);
  if (!parsed.success) {
    throw new ValidationError('A direct invocation must be { "requestId"?: string, "input": {...} }');
  }
  return parsed.data.requestId === undefined
    ? { input: parsed.data.input }
    : { requestId: parsed.data.requestId, input: parsed.data.input };
}

export function toHttpResponse(result: unknown): APIGatewayProxyResult {
  const response = result instanceof HttpResponse ? result : new HttpResponse(result);
  return {
    statusCode: response.statusCode,
    headers: { 'content-type': 'application/json', ...response.headers },
    ...(response.cookies.length > 0 ? { multiValueHeaders: { 'Set-Cookie': response.cookies } } : {}),
    body: JSON.stringify(response.body),
  };
}

export function errorToHttpResponse(error: unknown): APIGatewayProxyResult {
  const statusCode = httpStatusOf(error);
  if (statusCode >= 500) logger.error('Request failed', { error: error as Error });
  // Below 500 the message is meant for the caller; above it, internals stay in the logs.
  const message = isDomainError(error) && statusCode < 500 ? error.message : 'Internal error';
  return toHttpResponse(new HttpResponse({ error: message }, statusCode));
}

function unwrapForDirectCall(result: unknown): unknown {
  return result instanceof HttpResponse ? result.body : result;
}

/** Whether each request came through API Gateway, as `serviceEvent()` found it. */
const viaHttp = new WeakMap<Request, boolean>();
/**
 * The handler's result as the caller expects it. `serviceEvent()`'s `after` does this; a middleware that
 * answers early (a stored idempotent result) skips every `after`, so it calls this itself.
 */
export function answerFor(request: Request, result: unknown): unknown {
  return viaHttp.get(request) ? toHttpResponse(result) : unwrapForDirectCall(result);
}

/**
 * The first middleware of every service handler after its trace and log context (lib/common/handler.ts). It
 * turns an API Gateway event or a direct invocation into a `ServiceCall`, and the handler's result (or error)
 * back into what that caller expects: an HTTP response with `{ error }` for API Gateway; the plain result, or
 * the thrown error with its name (which Step Functions matches in Retry/Catch), for a direct invocation.
 */
export function serviceEvent(options: EdgeOptions = {}): MiddlewareObj {
  return {
    before: (request) => {
      const http = isHttpEvent(request.event);
      viaHttp.set(request, http);
      request.event = http
        ? fromHttpEvent(request.event as APIGatewayProxyEvent, options)
        : fromDirectEvent(request.event);
      const { requestId } = request.event as ServiceCall;
      if (requestId !== undefined)
        logger.appendKeys({ request_id: requestId, correlation_id: correlationIdOf(requestId) });
    },
    after: (request) => {
      request.response = answerFor(request, request.response);
    },
    onError: (request) => {
      // An error raised before `before` ran (or by it) still has to answer in the caller's protocol.
      const http = viaHttp.get(request) ?? isHttpEvent(request.event);
      if (!http) return; // rethrown by Middy with its name intact
      request.response = errorToHttpResponse(request.error);
      request.error = null;
    },
  };
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      if (issue.code === 'unrecognized_keys') return `unknown field(s): ${issue.keys.join(', ')}`;
      const path = issue.path.join('.');
      return path === '' ? issue.message : `${path}: ${issue.message}`;
    })
    .join('; ');
}

/** Validates `event.input` against a zod schema, replacing it by the parsed value, or answers 400. */
export function validInput(schema: z.ZodType): MiddlewareObj<ServiceCall> {
  return {
    before: (request) => {
      const parsed = schema.safeParse(request.event.input);
      if (!parsed.success) throw new ValidationError(`Invalid request: ${describeIssues(parsed.error)}`);
      request.event = { ...request.event, input: parsed.data };
    },
  };
}
