import variables from './variables.json';

/**
 * What configures the faults injected into the functions (functionFaults.ts), and the words a run counts them
 * by. Kept apart from the middleware so that what only configures or counts faults (local/offline.ts,
 * local/metrics.ts, bench/chaos.ts) loads no Middy code.
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

/**
 * The variables that configure faults, read at a function's cold start; nothing else turns them on. Named
 * once, in variables.json, which serverless/offline-faults.js (the plugin that hands them to the functions)
 * reads too.
 */
export const FAULT_VARIABLE = variables;
export const FAULT_VARIABLES: readonly string[] = Object.values(FAULT_VARIABLE);

const listOf = (value: string | undefined) =>
  (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');

const isFaultKind = (kind: string): kind is FaultKind => (FAULT_KINDS as readonly string[]).includes(kind);

/** The configuration the variables describe, or undefined when faults are off (no FAULT_RATE, or 0). */
export function faultConfigFrom(env: Record<string, string | undefined>): FaultConfig | undefined {
  const rateText = env[FAULT_VARIABLE.rate]?.trim() ?? '';
  const rate = rateText === '' ? 0 : Number(rateText);
  if (!Number.isFinite(rate) || rate < 0 || rate > 1) {
    throw new Error(`${FAULT_VARIABLE.rate} must be a number from 0 to 1, not "${rateText}"`);
  }
  if (rate === 0) return undefined;
  const kinds = listOf(env[FAULT_VARIABLE.kinds]);
  const unknown = kinds.filter((kind) => !isFaultKind(kind));
  if (unknown.length > 0) {
    throw new Error(
      `${FAULT_VARIABLE.kinds} names unknown kinds (${unknown.join(', ')}); known: ${FAULT_KINDS.join(', ')}`,
    );
  }
  return {
    rate,
    kinds: kinds.length === 0 ? FAULT_KINDS : kinds.filter(isFaultKind),
    functions: listOf(env[FAULT_VARIABLE.functions]),
  };
}

/** The one line each fault logs, when it happens: a run counts these (and the local cloud's /metrics does). */
export const INJECTED_FAULT_MESSAGE = 'Injected fault';
