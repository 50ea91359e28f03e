import type { MiddlewareObj, Request } from '@middy/core';
import type { FaultHook } from '../../lib/common/handler';
import { logger } from '../../lib/common/observability';
import type { ServiceCall } from '../../lib/common/serviceEvent';
import { faultConfigFrom, INJECTED_FAULT_MESSAGE, type FaultConfig, type FaultKind } from './settings';

/**
 * Faults in the functions, for chaos runs of the local cloud (issue 8). A configured fraction of the invocations
 * of the state-changing functions fails on purpose, at the points where a real failure hurts most, so that a run
 * shows the sagas' retries, the idempotency records and the data-level guards absorbing it:
 *
 * - `before`: the invocation fails before anything is written, not even its idempotency record.
 * - `after`: the handler has written; the function then dies before its idempotency record is completed and
 *   before it answers. As in a crash, nothing else runs: the record stays in progress until the function's
 *   deadline, so a repeat meets RequestInProgress until then, and the data-level guards after that.
 * - `timeout`: the function hangs until its deadline and dies there, before or after writing (a coin decides).
 * - `duplicate`: the same event is delivered a second time through the Lambda Invoke API, at the same time as
 *   the first or right after its answer; both deliveries go through the whole chain.
 *
 * Off unless FAULT_RATE is set (settings.ts), which only functions run by `sls offline start` can get
 * (serverless/offline-faults.js). The product reaches this module through one hook, `serviceHandler`'s
 * (lib/common/handler.ts), which deployed bundles are built without: they do not contain this code at all.
 */

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
export type FunctionFault =
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

export function chooseFault(
  config: FaultConfig,
  request: FaultRequest,
  random: () => number,
): FunctionFault | undefined {
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

function announce(fault: FunctionFault, details: Record<string, unknown> = {}): void {
  logger.warn(INJECTED_FAULT_MESSAGE, { fault, ...details });
}

/** The function dies here: nothing after this runs, not even the idempotency record's release. */
function crash(fault: FunctionFault, message: string): never {
  // A crashed sandbox starts its next invocation afresh, without this one's log keys.
  logger.resetKeys();
  throw new InjectedFault(fault.kind, message);
}

async function hangUntilDeadline(
  request: FaultRequest,
  fault: Extract<FunctionFault, { kind: 'timeout' }>,
  sleep: (ms: number) => Promise<void>,
) {
  const hangMs = Math.max(0, request.context.getRemainingTimeInMillis() - TIMEOUT_MARGIN_MS);
  announce(fault, { hangMs });
  await sleep(hangMs);
  crash(fault, `Injected timeout: the function hung for ${hangMs} ms, ${fault.wrote ? 'after' : 'before'} its write`);
}

/**
 * Delivers the event once more, as the function received it, marked as a copy. Its outcome is logged, never the
 * caller's concern.
 */
async function deliverCopy(request: FaultRequest, delivered: unknown): Promise<void> {
  try {
    // Imported here, so that a function that never duplicates a call does not load the Lambda client.
    const [{ InvokeCommand }, { lambda }, { thrownErrorName }] = await Promise.all([
      import('@aws-sdk/client-lambda'),
      import('../../lib/common/lambda'),
      import('../../lib/common/functionErrors'),
    ]);
    const clientContext = { custom: { [COPY_MARK]: request.event.requestId } };
    const response = await lambda.send(
      new InvokeCommand({
        FunctionName: request.context.functionName,
        Payload: new TextEncoder().encode(JSON.stringify(delivered)),
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
 * `serviceHandler`'s fault hook (lib/common/handler.ts): a state-changing handler's chain, with the fault points
 * around its idempotency middleware (the last of the chain), so that `before` and `after` mean what they say
 * relative to the write and to the idempotency record:
 *
 *   before: [fault `before`; a concurrent copy] → idempotency record taken → [`timeout` that writes nothing]
 *   handler: the write
 *   after:  [fault `after`; `timeout` after the write] → record completed → [the copy after the answer]
 *   onError: an injected fault is rethrown at once, so no later onError runs (no record released, no HTTP
 *            mapping): being the innermost middleware, its onError runs first.
 *
 * A first middleware keeps each event as it was delivered, before `serviceEvent()` normalizes it, for a copy.
 * With faults off it returns the chain as it is: nothing is added to any call.
 */
export function withInjectedFaults(
  edge: MiddlewareObj<ServiceCall>[],
  idempotency: MiddlewareObj<ServiceCall>,
  options: FaultOptions = {},
): MiddlewareObj<ServiceCall>[] {
  const config = options.config ?? faultConfigFrom(process.env);
  if (config === undefined) return [...edge, idempotency];
  const delivered = new WeakMap<Request, unknown>();
  const keepDelivered: MiddlewareObj<ServiceCall> = {
    before: (request) => {
      delivered.set(request, request.event);
    },
  };
  return [keepDelivered, ...edge, faultPoints(idempotency, config, options, (request) => delivered.get(request))];
}

/** What `serviceHandler`'s hook calls: `withInjectedFaults` with the faults the FAULT_* variables configure. */
export const faultHook: FaultHook = (edge, idempotency) => withInjectedFaults(edge, idempotency);

function faultPoints(
  inner: MiddlewareObj<ServiceCall>,
  config: FaultConfig,
  options: FaultOptions,
  deliveredEventOf: (request: FaultRequest) => unknown,
): MiddlewareObj<ServiceCall> {
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? wait;
  const faults = new WeakMap<FaultRequest, FunctionFault>();
  const copies = new WeakMap<FaultRequest, Promise<void>>();
  const deliverCopyOf = (request: FaultRequest) => deliverCopy(request, deliveredEventOf(request));

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
        copies.set(request, deliverCopyOf(request));
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
          await deliverCopyOf(request);
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
