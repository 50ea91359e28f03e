import businessErrorNames from './businessErrors.json';

/**
 * Every error a service raises on purpose has a stable `name`, spelled out (not taken from the class, which
 * minification renames). The same names are what the state machines' Retry/Catch match (a Lambda error's
 * type is the thrown error's name) and what `httpStatusOf` maps, once.
 */
export abstract class DomainError extends Error {
  abstract readonly statusCode: number;
  /** Business errors are final answers; a retry cannot change them. Transient ones may succeed later. */
  readonly transient: boolean = false;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export class ValidationError extends DomainError {
  override readonly name: string = 'ValidationError';
  readonly statusCode = 400;
}
export class Unauthorized extends DomainError {
  override readonly name: string = 'Unauthorized';
  readonly statusCode = 401;
}
export class InsufficientFunds extends DomainError {
  override readonly name: string = 'InsufficientFunds';
  readonly statusCode = 402;
}
export class NotFound extends DomainError {
  override readonly name: string = 'NotFound';
  readonly statusCode = 404;
}
export class Conflict extends DomainError {
  override readonly name: string = 'Conflict';
  readonly statusCode = 409;
}
/** A second account, a taken login: a 409 with a more specific name the sagas can catch. */
export class AlreadyExists extends Conflict {
  override readonly name: string = 'AlreadyExists';
}
export class LoginTaken extends Conflict {
  override readonly name: string = 'LoginTaken';
}
/** A status change the state machine of the record does not allow (confirming a REJECTED order). */
export class InvalidTransition extends Conflict {
  override readonly name: string = 'InvalidTransition';
}
/** An Idempotency-Key (or request id) sent again with a different request. */
export class IdempotencyKeyReused extends DomainError {
  override readonly name: string = 'IdempotencyKeyReused';
  readonly statusCode = 422;
}
/**
 * A repeat of a call whose first run has not finished yet. Transient on purpose, and not among the business
 * errors the state machines catch: a Step Functions Retry (or `invokeService`) simply tries again later,
 * by which time the first run has stored its answer.
 */
export class RequestInProgress extends DomainError {
  override readonly name: string = 'RequestInProgress';
  readonly statusCode = 409;
  override readonly transient = true;
}
export class PayloadTooLarge extends DomainError {
  override readonly name: string = 'PayloadTooLarge';
  readonly statusCode = 413;
}
export class TooManyRequests extends DomainError {
  override readonly name: string = 'TooManyRequests';
  readonly statusCode = 429;
  override readonly transient = true;
}
/** A dependency (another service, DynamoDB) failed in a way a retry may fix. */
export class DependencyFailure extends DomainError {
  override readonly name: string = 'DependencyFailure';
  readonly statusCode = 503;
  override readonly transient = true;
}

/**
 * Names the state machines treat as business outcomes (Catch) rather than faults to retry. The list is a JSON
 * file so that serverless.yml can hand it to the definitions too (`${self:custom.businessErrors}` in every
 * Task's first Retrier and its Catch): one list for the code, the state machines and the tests.
 */
export const BUSINESS_ERROR_NAMES: readonly string[] = businessErrorNames;

export function isDomainError(error: unknown): error is DomainError {
  return error instanceof DomainError;
}

/** The only place an error becomes an HTTP status: anything unknown is a 500 with a generic message. */
export function httpStatusOf(error: unknown): number {
  return isDomainError(error) ? error.statusCode : 500;
}

type DomainErrorClass = new (message: string, options?: { cause?: unknown }) => DomainError;

const BY_NAME: Record<string, DomainErrorClass> = {
  ValidationError,
  Unauthorized,
  InsufficientFunds,
  NotFound,
  Conflict,
  AlreadyExists,
  LoginTaken,
  InvalidTransition,
  IdempotencyKeyReused,
  RequestInProgress,
  PayloadTooLarge,
  TooManyRequests,
  DependencyFailure,
};

/** Rebuilds a typed error from the name another function reported, or undefined for names we don't own. */
export function domainErrorFromName(name: string, message: string): DomainError | undefined {
  const ErrorClass = BY_NAME[name];
  return ErrorClass === undefined ? undefined : new ErrorClass(message);
}

/**
 * Powertools' idempotency errors as this service's own, so that `httpStatusOf` and the state machines see
 * names they know. Their messages name internal keys and hashes, so each gets a message of ours. Anything
 * else from the idempotency store (it could not be read or written, or changed under us) is transient.
 */
export function fromIdempotencyError(error: unknown): unknown {
  if (!(error instanceof Error) || isDomainError(error) || !error.name.startsWith('Idempotency')) return error;
  switch (error.name) {
    case 'IdempotencyValidationError':
      return new IdempotencyKeyReused('This Idempotency-Key was already used for a different request', {
        cause: error,
      });
    case 'IdempotencyAlreadyInProgressError':
      return new RequestInProgress('A request with this Idempotency-Key is still in progress; retry it later', {
        cause: error,
      });
    default:
      return new DependencyFailure('The idempotency store failed; retry the request', { cause: error });
  }
}
