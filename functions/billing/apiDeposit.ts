import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { OwnDepositInput } from '../../lib/billing/billing';
import { deposit } from '../../lib/billing/billingService';
import { toMinorUnits } from '../../lib/common/money';
import { idempotent } from '../../lib/common/idempotency';
import { logger } from '../../lib/common/observability';
import { authenticated, type AuthenticatedCall } from '../../lib/common/requireCaller';
import { serviceEvent, validInput } from '../../lib/common/serviceEvent';

/**
 * POST /api/billing/deposit: the signed-in client tops up their own account. The account is the one the
 * authorizer vouched for, never one named in the body (the schema refuses a clientId field). The caller's
 * Idempotency-Key is scoped to them, so one client's key can never collide with another's.
 */
const apiDeposit = ({ input, requestId, caller }: AuthenticatedCall<OwnDepositInput>) =>
  deposit(
    caller.clientId,
    toMinorUnits(input.sum),
    requestId === undefined ? undefined : `api:${caller.clientId}:${requestId}`,
  );

export const handler = middy(apiDeposit)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(serviceEvent())
  .use(authenticated())
  .use(validInput(OwnDepositInput))
  .use(idempotent());
