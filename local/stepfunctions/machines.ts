import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from '../config';
import { executionArn, stateMachineArn } from '../stackNames';
import type { ServerlessConfig } from '../serverlessConfig';

/** A state machine as the local endpoint serves it: the ARN and definition it would have once deployed. */
export interface MachineDefinition {
  name: string;
  /** Amazon States Language, with the CloudFormation pseudo-parameters already substituted. */
  definition: Record<string, unknown>;
}

export interface StateMachine extends MachineDefinition {
  arn: string;
  roleArn: string;
  creationDate: number;
}

export { executionArn, stateMachineArn };

/** `arn:aws:states:<region>:<account>:execution:<machine>:<name>` → its two names, or undefined. */
export function parseExecutionArn(arn: string): { machineName: string; executionName: string } | undefined {
  const match = /^arn:aws:states:[^:]+:[^:]+:execution:([^:]+):([^:]+)$/.exec(arn);
  return match ? { machineName: match[1]!, executionName: match[2]! } : undefined;
}

/**
 * serverless-step-functions writes `#{AWS::Region}`-style pseudo-parameters that CloudFormation's Fn::Sub
 * resolves on deploy; locally they resolve to the local region and account.
 */
const PSEUDO_PARAMETERS: Record<string, string> = {
  'AWS::Region': LOCAL_REGION,
  'AWS::AccountId': LOCAL_ACCOUNT_ID,
  'AWS::Partition': 'aws',
  'AWS::URLSuffix': 'amazonaws.com',
};

export function substitutePseudoParameters<T>(value: T): T {
  const text = JSON.stringify(value).replace(/#\{(AWS::[A-Za-z]+)\}/g, (whole, name: string) => {
    return PSEUDO_PARAMETERS[name] ?? whole;
  });
  return JSON.parse(text) as T;
}

/** The machines declared under `stepFunctions.stateMachines` of the resolved serverless.yml (none if absent). */
export function machinesFromServerlessConfig(config: ServerlessConfig): MachineDefinition[] {
  return Object.entries(config.stepFunctions?.stateMachines ?? {}).map(([key, machine]) => ({
    name: typeof machine['name'] === 'string' ? machine['name'] : key,
    definition: substitutePseudoParameters(machine['definition'] as Record<string, unknown>),
  }));
}

/** Lambda's default timeout, for a function and provider that set none. */
const LAMBDA_DEFAULT_TIMEOUT_SECONDS = 3;

/** The longest timeout of any declared function: how long one of them can hold an idempotency lock. */
export function longestFunctionTimeoutSeconds(config: ServerlessConfig): number {
  const fallback = config.provider?.timeout ?? LAMBDA_DEFAULT_TIMEOUT_SECONDS;
  return Math.max(fallback, ...Object.values(config.functions).map((fn) => fn.timeout ?? fallback));
}

export function toStateMachine(machine: MachineDefinition, creationDate: number): StateMachine {
  return {
    name: machine.name,
    definition: substitutePseudoParameters(machine.definition),
    arn: stateMachineArn(machine.name),
    roleArn: `arn:aws:iam::${LOCAL_ACCOUNT_ID}:role/${machine.name}-role`,
    creationDate,
  };
}
