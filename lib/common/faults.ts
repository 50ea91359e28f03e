import type { MiddlewareObj, Request } from '@middy/core';
import { logger } from './observability';
import { deliveredEventOf, type ServiceCall } from './serviceEvent';

/**
 * Fault injection for chaos runs of the local cloud (issue 8). A configured fraction of the invocations of the
 * state-changing functions fails on purpose, at the points where a real failure hurts most, so that a run shows
 * the sagas' retries, the idempotency records and the data-level guards absorbing it:
 *
 * - `before`: the invocation fails before anything is written, not even its idempotency record.
 * - `after`: the handler has written; the function then dies before its idempotency record is completed and
 *   before it answers. As in a crash, nothing else runs: the record stays in progress until the function's
 *   deadline, so a repeat meets RequestInProgress until then, and the data-level guards after that.
 * - `timeout`: the function hangs until its deadline and dies there, before or after writing (a coin decides).
 * - `duplicate`: the same event is delivered a second time through the Lambda Invoke API, at the same time as
 *   the first or right after its answer; both deliveries go through the whole chain.
 *
 * Off unless FAULT_RATE is set, which only functions run by `sls offline start` can get (serverless/offline-faults.js).
 * Deployed bundles do not contain this code at all: esbuild's `define` (serverless.yml) makes the check below a
 * constant there, and the rest of the module is dropped as unreachable.
 */

export const FAULT_KINDS = ['before', 'after', 'timeout', 'duplicate'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultConfig {
  /** The fraction of invocations that get a fault, from 0 to 1. */
  rate: number;
  kinds: readonly FaultKind[];
  /** The functions that may get one, by key (`billingWithdraw`) or full name; empty for all of them. */
  functions: readonly string[];
}

/** What configures faults, read once at cold start. Nothing but these turns them on. */
export const FAULT_VARIABLES = ['FAULT_RATE', 'FAULT_KINDS', 'FAULT_FUNCTIONS'] as const;

const listOf = (value: string | undefined) =>
  (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');

const isFaultKind = (kind: string): kind is FaultKind => (FAULT_KINDS as readonly string[]).includes(kind);

/** The configuration the variables describe, or undefined when faults are off (no FAULT_RATE, or 0). */
export function faultConfigFrom(env: Record<string, string | undefined>): FaultConfig | undefined {
  const rateText = env['FAULT_RATE']?.trim() ?? '';
  const rate = rateText === '' ? 0 : Number(rateText);
  if (!Number.isFinite(rate) || rate < 0 || rate > 1) {
    throw new Error(`FAULT_RATE must be a number from 0 to 1, not "${rateText}"`);
  }
  if (rate === 0) return undefined;
  const kinds = listOf(env['FAULT_KINDS']);
  const unknown = kinds.filter((kind) => !isFaultKind(kind));
  if (unknown.length > 0) {
    throw new Error(`FAULT_KINDS names unknown kinds (${unknown.join(', ')}); known: ${FAULT_KINDS.join(', ')}`);
  }
  return {
    rate,
    kinds: kinds.length === 0 ? FAULT_KINDS : kinds.filter(isFaultKind),
    functions: listOf(env['FAULT_FUNCTIONS']),
  };
}

/**
 * What an injected fault throws. No state machine catches this name, so every Task's Retry treats it as the
 * transient failure it stands for; and no HTTP mapping knows it: it leaves the function unhandled, as a crash
 * does, and API Gateway (serverless-offline alike) answers 502.
 */
export class InjectedFault extends Error {
  override readonly name: string = 'InjectedFault';

  constructor(
    readonly kind: FaultKind,
    message: string,
  ) {
    super(message);
  }
}

/** One invocation's fault, with what the coin decided for it. */
export type Fault =
  | { kind: 'before' }
  | { kind: 'after' }
  | { kind: 'timeout'; wrote: boolean }
  | { kind: 'duplicate'; copy: 'concurrent' | 'afterAnswer' };

export interface FaultOptions {
  /** Defaults to what the FAULT_* variables say. */
  config?: FaultConfig;
  /** A number in [0, 1), as Math.random gives. */
  random?: () => number;
  /** How a timeout waits for its deadline. */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * A timeout fault gives up this long before the deadline the handler sees. serverless-offline's own timer
 * starts before the bundle is loaded (the handler's clock is behind it by up to the cold start), and if it
 * fires first it terminates the worker and never replaces it: every later call to that instance then hangs
 * until its own timeout (serverless-offline issue #1896, in 13.x). The caller so sees the failure about 1 s
 * early, and the idempotency lock (which lasts until the deadline) lapses about 1 s after it.
 */
export const TIMEOUT_MARGIN_MS = 1_000;

/**
 * The ClientContext key that marks a duplicate delivery, with the request id it copies. Comparing the request
 * id matters locally: serverless-offline keeps the ClientContext of an instance's last Invoke call and an HTTP
 * call does not replace it, so a mark alone could outlive its copy.
 */
export const COPY_MARK = 'faultInjectionCopyOf';

type FaultRequest = Request<ServiceCall>;

function isCopy(request: FaultRequest): boolean {
  const custom = request.context.clientContext?.custom as Record<string, unknown> | undefined;
  const copied = custom?.[COPY_MARK];
  return copied !== undefined && copied === request.event.requestId;
}

function appliesTo(config: FaultConfig, functionName: string): boolean {
  return (
    config.functions.length === 0 ||
    config.functions.some((name) => functionName === name || functionName.endsWith(`-${name}`))
  );
}

export function chooseFault(config: FaultConfig, request: FaultRequest, random: () => number): Fault | undefined {
  if (!appliesTo(config, request.context.functionName) || isCopy(request)) return undefined;
  if (random() >= config.rate) return undefined;
  // Without a request id a call is not deduplicated, by design: its copy would be a second request, not a duplicate.
  const kinds = config.kinds.filter((kind) => kind !== 'duplicate' || request.event.requestId !== undefined);
  const kind = kinds[Math.floor(random() * kinds.length)];
  switch (kind) {
    case undefined:
      return undefined;
    case 'timeout':
      return { kind, wrote: random() < 0.5 };
    case 'duplicate':
      return { kind, copy: random() < 0.5 ? 'concurrent' : 'afterAnswer' };
    default:
      return { kind };
  }
}

/** The one line each fault logs, when it happens: a run counts these (and the local cloud's /metrics does). */
export const INJECTED_FAULT_MESSAGE = 'Injected fault';

function announce(fault: Fault, details: Record<string, unknown> = {}): void {
  logger.warn(INJECTED_FAULT_MESSAGE, { fault, ...details });
}

/** The function dies here: nothing after this runs, not even the idempotency record's release. */
function crash(fault: Fault, message: string): never {
  // A crashed sandbox starts its next invocation afresh, without this one's log keys.
  logger.resetKeys();
  throw new InjectedFault(fault.kind, message);
}

async function hangUntilDeadline(
  request: FaultRequest,
  fault: Extract<Fault, { kind: 'timeout' }>,
  sleep: (ms: number) => Promise<void>,
) {
  const hangMs = Math.max(0, request.context.getRemainingTimeInMillis() - TIMEOUT_MARGIN_MS);
  announce(fault, { hangMs });
  await sleep(hangMs);
  crash(fault, `Injected timeout: the function hung for ${hangMs} ms, ${fault.wrote ? 'after' : 'before'} its write`);
}

/** Delivers the request's event once more, marked as a copy. Its outcome is logged, never the caller's concern. */
async function deliverCopy(request: FaultRequest): Promise<void> {
  try {
    // Imported here, so that bundles built without fault injection do not contain the Lambda client.
    const [{ InvokeCommand }, { lambda }, { thrownErrorName }] = await Promise.all([
      import('@aws-sdk/client-lambda'),
      import('./lambda'),
      import('./invoke'),
    ]);
    const clientContext = { custom: { [COPY_MARK]: request.event.requestId } };
    const response = await lambda.send(
      new InvokeCommand({
        FunctionName: request.context.functionName,
        Payload: new TextEncoder().encode(JSON.stringify(deliveredEventOf(request))),
        ClientContext: Buffer.from(JSON.stringify(clientContext)).toString('base64'),
      }),
    );
    // Its outcome, not its answer (which may hold personal data): `HTTP 409`, `InjectedFault`, `answered`.
    const text = new TextDecoder().decode(response.Payload ?? new Uint8Array());
    const answer = ((text === '' ? null : JSON.parse(text)) ?? {}) as Parameters<typeof thrownErrorName>[0] & {
      statusCode?: unknown;
    };
    const outcome =
      response.FunctionError !== undefined
        ? thrownErrorName(answer)
        : typeof answer.statusCode === 'number'
          ? `HTTP ${answer.statusCode}`
          : 'answered';
    logger.info('Duplicate delivery answered', { duplicateOutcome: outcome });
  } catch (error) {
    logger.warn('Duplicate delivery could not be made', { error: error as Error });
  }
}

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Wraps a state-changing function's idempotency middleware (the last of its chain) with the fault points, so
 * that `before` and `after` mean what they say relative to the write and to the idempotency record:
 *
 *   before: [fault `before`; a concurrent copy] → idempotency record taken → [`timeout` that writes nothing]
 *   handler: the write
 *   after:  [fault `after`; `timeout` after the write] → record completed → [the copy after the answer]
 *   onError: an injected fault is rethrown at once, so no later onError runs (no record released, no HTTP
 *            mapping): being the innermost middleware, its onError runs first.
 *
 * With faults off it returns the middleware itself: nothing is added to any call.
 */
export function withInjectedFaults(
  inner: MiddlewareObj<ServiceCall>,
  options: FaultOptions = {},
): MiddlewareObj<ServiceCall> {
  // esbuild's `define` makes this `if (false)` in deployed bundles (serverless.yml, custom.esbuild): it then
  // skips the branch, and everything only the branch uses is left out of the bundle (the Lambda client too).
  if (process.env.FAULT_INJECTION_BUILD !== 'excluded') {
    const config = options.config ?? faultConfigFrom(process.env);
    if (config !== undefined) return faultPoints(inner, config, options);
  }
  return inner;
}

function faultPoints(
  inner: MiddlewareObj<ServiceCall>,
  config: FaultConfig,
  options: FaultOptions,
): MiddlewareObj<ServiceCall> {
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? wait;
  const faults = new WeakMap<FaultRequest, Fault>();
  const copies = new WeakMap<FaultRequest, Promise<void>>();

  return {
    before: async (request) => {
      const fault = chooseFault(config, request, random);
      if (fault !== undefined) faults.set(request, fault);
      if (fault?.kind === 'before') {
        announce(fault);
        crash(fault, 'Injected fault: the function failed before running, having written nothing');
      }
      if (fault?.kind === 'duplicate' && fault.copy === 'concurrent') {
        announce(fault);
        copies.set(request, deliverCopy(request));
      }
      const early: unknown = await inner.before?.(request);
      if (early !== undefined) {
        // An answer from the idempotency record: Middy skips every `after`, so the copy is awaited here.
        await copies.get(request);
        return early;
      }
      if (fault?.kind === 'timeout' && !fault.wrote) await hangUntilDeadline(request, fault, sleep);
      return undefined;
    },
    after: async (request) => {
      const fault = faults.get(request);
      if (fault?.kind === 'after') {
        announce(fault);
        crash(fault, 'Injected fault: the function died after its write, before answering');
      }
      if (fault?.kind === 'timeout' && fault.wrote) await hangUntilDeadline(request, fault, sleep);
      await inner.after?.(request);
      if (fault?.kind === 'duplicate') {
        if (fault.copy === 'afterAnswer') {
          announce(fault);
          await deliverCopy(request);
        } else {
          await copies.get(request);
        }
      }
    },
    onError: async (request) => {
      if (request.error instanceof InjectedFault) throw request.error;
      await inner.onError?.(request);
      await copies.get(request);
    },
  };
}
