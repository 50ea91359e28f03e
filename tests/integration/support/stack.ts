import { LOCAL_STAGE } from '../../../local/config';
import { resourceName as nameOnStage, stateMachineArn as localStateMachineArn } from '../../../local/stackNames';

/** Names of this stack's resources in the local cloud the tests run against (stage `offline`). */
export const STAGE = process.env['TEST_STAGE'] ?? LOCAL_STAGE;
export const resourceName = (name: string) => nameOnStage(name, STAGE);
export const stateMachineArn = (name: string) => localStateMachineArn(resourceName(name));
