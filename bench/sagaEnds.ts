import { DescribeExecutionCommand, DescribeStateMachineForExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { answersOf, waitsForRedrive } from '../local/console/redrive';

/**
 * Every end a saga can reach, as its client hears it, and how a client reads one answer of a saga endpoint
 * (its POST or its status URL). The answers are those of `registrationOutcomeResponse` and
 * `orderOutcomeResponse` (lib/sagas/): an execution that closed in one of the saga's own ends always answers
 * the same, so each of them is final. One that stopped at a step which kept failing answers 202, as a running
 * saga does, until an operator redrives it: `WAITING_FOR_REDRIVE`, told apart by the execution itself.
 */

export type SagaName = 'registration' | 'order';

/** Status → end, per saga: the final answers, one line for each of the saga's own ends, none left out. */
export const SAGA_ENDS = {
  registration: {
    200: 'registered',
    // LoginTaken: the login was taken before the pivot; the saga compensated.
    409: 'loginTaken',
    // RegistrationFailed: AddClient, before the pivot, refused the input or kept failing; the client was rejected.
    502: 'notCompleted',
  },
  order: {
    200: 'confirmed',
    // InsufficientFunds: the withdrawal was refused; the order is REJECTED.
    402: 'insufficientFunds',
    // OrderFailed: a step before the pivot kept failing; the order is REJECTED, or was never written.
    422: 'orderFailed',
  },
} as const satisfies Record<SagaName, Record<number, string>>;

/**
 * The execution stopped at a step from the pivot on (or in a compensation) that kept failing, or timed out, or
 * was aborted: closed, redrivable, and no answer of the saga's (the money may have moved, the user may exist).
 * Its status URL answers 202 until a redrive ends it, so a client that followed it would poll until an
 * operator acts; the load and the fault matrix stop there and count it as this end.
 */
export const WAITING_FOR_REDRIVE = 'waitingForRedrive';

type EndsOf<S extends SagaName> = (typeof SAGA_ENDS)[S][keyof (typeof SAGA_ENDS)[S]];
/** An end the saga itself reached (its execution closed): a final answer, or waiting for a redrive. */
export type SagaEnd = EndsOf<'registration'> | EndsOf<'order'> | typeof WAITING_FOR_REDRIVE;

/** Whether the execution behind a 202 waits for a redrive (asked of Step Functions: the answer cannot say). */
export type RedriveProbe = (executionArn: string) => Promise<boolean>;

/**
 * A RedriveProbe over a Step Functions endpoint: the execution is redrivable and did not end in one of its
 * definition's Fail states (the saga's answers), as `npm run redrive -- --all` reads it.
 */
export function redriveProbe(sfn: SFNClient): RedriveProbe {
  const answers = new Map<string, Promise<string[]>>();
  return async (executionArn) => {
    const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (execution.status === 'RUNNING' || execution.status === 'PENDING_REDRIVE') return false;
    const machine = execution.stateMachineArn ?? '';
    if (!answers.has(machine)) {
      answers.set(
        machine,
        sfn
          .send(new DescribeStateMachineForExecutionCommand({ executionArn }))
          .then((found) => answersOf(JSON.parse(found.definition ?? '{}'))),
      );
    }
    return waitsForRedrive(execution, await answers.get(machine)!);
  };
}
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

/** An answer's body as `readSagaAnswer` takes it: the parsed JSON, or undefined when it is not JSON. */
export function answerBody(text: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

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
  for (const end of [...Object.values(SAGA_ENDS[saga]), WAITING_FOR_REDRIVE, ...Object.values(CLIENT_ENDS)]) {
    counts[end] = 0;
  }
  for (const end of ends) counts[end] = (counts[end] ?? 0) + 1;
  return counts;
}
