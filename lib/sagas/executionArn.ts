/**
 * The ARN of a state machine's execution of that name, as Step Functions forms it. A module of its own, without
 * the Step Functions client, so that the fault runs (bench/) can name executions without loading the Tracer.
 */
export function executionArnOf(stateMachineArn: string, executionName: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${executionName}`;
}
