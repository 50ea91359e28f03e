import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy, { type MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';
import type * as z from 'zod';
import { Unauthorized } from './errors';
import { idempotent } from './idempotency';
import { logger, tracer } from './observability';
import { serviceEvent, validInput, type Caller, type ServiceCall } from './serviceEvent';

/**
 * What every function of the project starts with, the authorizer included: its X-Ray segment (none where the
 * stage does not trace, and so locally: there is no Tracer there, lib/common/observability.ts) and its log context, reset per call. The response is not added to
 * the trace: answers carry personal data and session cookies.
 */
export function observedHandler<TEvent, TResult>(fn: (event: TEvent, context: Context) => Promise<TResult>) {
  const handler = middy(fn);
  if (tracer !== undefined) handler.use(captureLambdaHandler(tracer, { captureResponse: false }));
  return handler.use(injectLambdaContext(logger, { resetKeys: true }));
}

/** Refuses a call without the caller the gateway's authorizer established, before its input is looked at. */
function callerRequired(): MiddlewareObj<ServiceCall> {
  return {
    before: (request) => {
      if (request.event.caller === undefined) throw new Unauthorized('Authentication required');
    },
  };
}

/**
 * What a service handler declares about its edge, every part stated even when it is "no", so that each handler
 * reads the same; everything else is the one call into `lib/` it makes.
 */
export interface HandlerSpec<TSchema extends z.ZodType | 'none', TCaller extends 'required' | 'none'> {
  /** The input's schema (the body, or a GET's path parameters); `'none'`: a body is not even read. */
  input: TSchema;
  /** `'required'`: a client's own API, whose caller the session authorizer established; 401 without one. */
  caller: TCaller;
  /** A state-changing call, run once per request id (the Powertools idempotency layer, lib/common/idempotency.ts). */
  idempotent: boolean;
  /** The call carries the request's Cookie header values (`call.cookies`): logout reads its session there. */
  cookies?: boolean;
}

/** The call a handler receives, typed by its spec: the validated input, and the caller when it is required. */
export type CallOf<TSchema, TCaller> = ServiceCall<TSchema extends z.ZodType ? z.output<TSchema> : unknown> &
  (TCaller extends 'required' ? { caller: Caller } : unknown);

/**
 * The product's one hook for fault injection, a tool of the local cloud's chaos runs (local/faults/): a
 * state-changing handler's chain passes through it, so that the fault module can place its fault points
 * around the idempotency record and keep the event as it was delivered (to deliver it again). It is decided
 * when the bundle is built: for the deployed stages, esbuild's `define` (serverless.yml) makes the test below
 * `if (false)`, and esbuild bundles nothing the dead branch requires. Where it is included it adds nothing to
 * a call unless FAULT_RATE is set.
 */
export type FaultHook = (
  edge: MiddlewareObj<ServiceCall>[],
  idempotency: MiddlewareObj<ServiceCall>,
) => MiddlewareObj<ServiceCall>[];

const withFaultHook: FaultHook = (edge, idempotency) => {
  if (process.env.FAULT_INJECTION_BUILD !== 'excluded') {
    // A require, not an import: only a bundle that keeps this branch (and a process that runs it) loads the module.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const faults = require('../../local/faults/functionFaults') as { faultHook: FaultHook };
    return faults.faultHook(edge, idempotency);
  }
  return [...edge, idempotency];
};

/**
 * The one way a service handler is built. Whichever way it is called (API Gateway, or a direct Lambda Invoke
 * by a Step Functions Task or another service), the chain is the same, in this order:
 *
 *   trace, log context → serviceEvent (the event as a ServiceCall; the answer, or the error, in the caller's
 *   protocol) → the caller check (401) → the input's schema (400) → the idempotency record → the handler.
 *
 * The caller is checked before the input so that no 400 leaks ahead of the 401; idempotency comes last so it
 * keys on the normalized, validated call and stores the handler's plain result.
 */
export function serviceHandler<TSchema extends z.ZodType | 'none', TCaller extends 'required' | 'none'>(
  spec: HandlerSpec<TSchema, TCaller>,
  fn: (call: CallOf<TSchema, TCaller>) => unknown,
) {
  const edge: MiddlewareObj<ServiceCall>[] = [
    serviceEvent({ readsBody: spec.input !== 'none', cookies: spec.cookies === true }),
    ...(spec.caller === 'required' ? [callerRequired()] : []),
    ...(spec.input !== 'none' ? [validInput(spec.input)] : []),
  ];
  return observedHandler(async (call: ServiceCall) => fn(call as CallOf<TSchema, TCaller>)).use(
    spec.idempotent ? withFaultHook(edge, idempotent()) : edge,
  );
}
