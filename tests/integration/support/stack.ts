import { LOCAL_STAGE } from '../../../local/config';

/** Names of this stack's resources in the local cloud the tests run against (stage `offline`). */
export const STAGE = process.env['TEST_STAGE'] ?? LOCAL_STAGE;
export const resourceName = (name: string) => `shop-${STAGE}-${name}`;
export const stateMachineArn = (name: string) =>
  `arn:aws:states:us-east-1:000000000000:stateMachine:${resourceName(name)}`;
