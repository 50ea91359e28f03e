import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import type * as TracerModule from '@aws-lambda-powertools/tracer';

/** Keys whose values never reach a log line, at any depth: credentials and session ids. */
const SECRET_KEYS = new Set([
  'password',
  'passwordhash',
  'session',
  'sessionid',
  'cookie',
  'cookies',
  'set-cookie',
  'authorization',
]);

export const REDACTED = '[REDACTED]';

/** JSON replacer for every log line: a secret's key stays (so you see it was there), its value does not. */
export function redactSecrets(key: string, value: unknown): unknown {
  return SECRET_KEYS.has(key.toLowerCase()) ? REDACTED : value;
}

/** One logger per container; its service name comes from POWERTOOLS_SERVICE_NAME (set per function). */
export const logger = new Logger({ jsonReplacerFn: redactSecrets });

/**
 * X-Ray, through the AWS SDK clients it captures (lib/common/aws.ts, lambda.ts, sfn.ts): their calls become
 * subsegments of the function's trace, and the trace header they pass on carries one trace from API Gateway
 * through the saga's state machine into every Task function. On only in Lambda on the stages that trace
 * (POWERTOOLS_TRACE_ENABLED from serverless.yml's custom.stage.tracing); off outside Lambda (the tests), where
 * it returns the clients it is given untouched.
 *
 * Where the stage says it does not trace (POWERTOOLS_TRACE_ENABLED=false: the local cloud, LocalStack) the
 * Tracer is not even loaded, and `tracer` is undefined. Loading it loads the X-Ray SDK, which in a Lambda
 * environment creates a cls-hooked namespace whatever the mode: an async hook that runs on every promise and
 * callback of the process, traced or not. In the local cloud every function's bundle shares serverless-offline's
 * process and brings its own copy of that hook, and a benchmark's profile found half of that process's CPU in
 * them (docs/BENCHMARKS.md). On a stage that traces, nothing changes.
 */
export const tracer: Tracer | undefined =
  process.env['POWERTOOLS_TRACE_ENABLED'] === 'false'
    ? undefined
    : // Loaded here and only here, so that a stage without tracing never evaluates it (see above).
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      new (require('@aws-lambda-powertools/tracer') as typeof TracerModule).Tracer();

/** An AWS SDK client, captured by the Tracer where there is one (its calls become subsegments). */
export function traced<Client>(client: Client): Client {
  return tracer === undefined ? client : tracer.captureAWSv3Client(client);
}

/**
 * The correlation id of a call: the saga execution's name for a Task (its request id is
 * `<execution name>/<state>`), the caller's request id otherwise.
 */
export function correlationIdOf(requestId: string | undefined): string | undefined {
  return requestId?.split('/')[0];
}

/** Business metrics, in CloudWatch's embedded metric format (a JSON log line CloudWatch turns into metrics). */
export const METRICS_NAMESPACE = 'SagaShop';
const metrics = new Metrics({ namespace: METRICS_NAMESPACE });

export type BusinessEvent =
  | 'ClientsRegistered'
  | 'RegistrationsRejected'
  | 'OrdersConfirmed'
  | 'OrdersRejected'
  | 'MoneyDeposited'
  | 'MoneyWithdrawn'
  | 'AuthorizerDenials';

/**
 * Records one business event at once (a single-metric line, so no handler has to flush). Counts by default;
 * money in major units. Saga durations need no metric of ours: Step Functions publishes ExecutionTime.
 */
export function recordBusinessEvent(
  event: BusinessEvent,
  options: {
    value?: number;
    unit?: (typeof MetricUnit)[keyof typeof MetricUnit];
    dimensions?: Record<string, string>;
  } = {},
): void {
  const single = metrics.singleMetric();
  for (const [name, value] of Object.entries(options.dimensions ?? {})) single.addDimension(name, value);
  single.addMetric(event, options.unit ?? MetricUnit.Count, options.value ?? 1);
}

export { MetricUnit };
