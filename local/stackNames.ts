import { LOCAL_ACCOUNT_ID, LOCAL_REGION, LOCAL_STAGE } from './config';

/**
 * The names serverless.yml gives this stack's resources (`${self:service}-${sls:stage}-<key>`: functions, tables,
 * state machines) and the ARNs the local cloud gives them, for the code that needs a name without resolving the
 * configuration first: the tests, the benchmarks, the console's fixtures. The local cloud itself takes every name
 * from the resolved configuration (`sls print`, local/serverlessConfig.ts); tests/deploy/offlineStage.test.ts
 * holds this module to it.
 */
export const SERVICE = 'shop';

/** `orderSaga` → `shop-offline-orderSaga`: a function, table or state machine of the stage. */
export const resourceName = (key: string, stage: string = LOCAL_STAGE) => `${SERVICE}-${stage}-${key}`;

const STATES_ARN_PREFIX = `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}`;

/** A state machine's ARN in the local cloud, from its full name (`shop-offline-orderSaga`). */
export const stateMachineArn = (machineName: string) => `${STATES_ARN_PREFIX}:stateMachine:${machineName}`;

/** An execution's ARN in the local cloud, from its machine's full name and its own. */
export const executionArn = (machineName: string, executionName: string) =>
  `${STATES_ARN_PREFIX}:execution:${machineName}:${executionName}`;

/** A function's ARN in the local cloud (what a Task's `Resource` resolves to), from its full name. */
export const functionArn = (functionName: string) =>
  `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:function:${functionName}`;
