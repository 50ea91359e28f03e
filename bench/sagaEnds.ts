/**
 * Every end a saga can reach, as its client hears it, and how a client reads one answer of a saga endpoint
 * (its POST or its status URL). The answers are those of `registrationOutcomeResponse` and
 * `orderOutcomeResponse` (lib/sagas/): a closed execution always answers the same, so each of them is final.
 */

export type SagaName = 'registration' | 'order';

/** Status → end, per saga. One line for each way an execution can close, none left out. */
export const SAGA_ENDS = {
  registration: {
    200: 'registered',
    // LoginTaken: the login was taken before the pivot; the saga compensated.
    409: 'loginTaken',
    // RegistrationFailed (a step before the pivot kept failing), NeedsAttention, a timeout or an abort.
    502: 'notCompleted',
  },
  order: {
    200: 'confirmed',
    // InsufficientFunds: the withdrawal was refused; the order is REJECTED.
    402: 'insufficientFunds',
    // OrderFailed: a step before the pivot kept failing; the order is REJECTED, or was never written.
    422: 'orderFailed',
    // NeedsAttention (paid, not confirmed), a timeout or an abort: the order "is being looked into".
    502: 'beingLookedInto',
  },
} as const satisfies Record<SagaName, Record<number, string>>;

type EndsOf<S extends SagaName> = (typeof SAGA_ENDS)[S][keyof (typeof SAGA_ENDS)[S]];
/** An end the saga itself reached (its execution closed). */
export type SagaEnd = EndsOf<'registration'> | EndsOf<'order'>;
/** How a client's saga ends when it never heard the saga's own end. */
export const CLIENT_ENDS = {
  /** `maxAttempts` fault answers in a row (the POST's or the polls'). */
  abandoned: 'abandoned',
  /** Still 202 when the polling bound (`settleTimeoutMs`) passed: the drain and the invariants see its end. */
  unsettled: 'unsettled',
  /** An answer no saga endpoint gives (an unexpected 4xx, a 202 without a status URL). */
  unexpected: 'unexpected',
} as const;
export type ClientEnd = (typeof CLIENT_ENDS)[keyof typeof CLIENT_ENDS];

/** The ends that mean success, for the figures that count completed sagas. */
export const SUCCESS_ENDS: readonly SagaEnd[] = [SAGA_ENDS.registration[200], SAGA_ENDS.order[200]];

export type Reading =
  | { kind: 'final'; end: SagaEnd }
  | { kind: 'pending'; statusUrl: string }
  | { kind: 'fault'; reason: string }
  | { kind: 'unexpected'; reason: string };

/**
 * What an answer of a saga endpoint means to its client. A final answer comes from the API itself, which
 * always says why in `{"error": …}` when it is not a success; a 502 from API Gateway for a crashed function
 * (`errorMessage`, `message`) is a fault to retry, as is any other 5xx, a 409 other than the registration's,
 * or an answer that is not JSON (`body` undefined).
 */
export function readSagaAnswer(saga: SagaName, status: number, body: Record<string, unknown> | undefined): Reading {
  if (body === undefined) return { kind: 'fault', reason: `unparsable answer (${status})` };
  const ends: Record<number, SagaEnd | undefined> = SAGA_ENDS[saga];
  const end = ends[status];
  if (end !== undefined && (status === 200 || typeof body['error'] === 'string')) return { kind: 'final', end };
  if (status === 202) {
    const statusUrl = body['statusUrl'];
    return typeof statusUrl === 'string'
      ? { kind: 'pending', statusUrl }
      : { kind: 'unexpected', reason: '202 without a statusUrl' };
  }
  if (status >= 500 || status === 409) {
    const said = body['error'] ?? body['message'] ?? body['errorMessage'] ?? '';
    return { kind: 'fault', reason: `${status} ${String(said)}`.trim() };
  }
  return { kind: 'unexpected', reason: `${status} ${JSON.stringify(body)}` };
}

/** How many sagas ended each way, every end listed (0 when none did). */
export function countEnds(ends: Iterable<SagaEnd | ClientEnd>, saga: SagaName): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const end of [...Object.values(SAGA_ENDS[saga]), ...Object.values(CLIENT_ENDS)]) counts[end] = 0;
  for (const end of ends) counts[end] = (counts[end] ?? 0) + 1;
  return counts;
}
