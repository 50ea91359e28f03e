import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { AccountRef } from '../../lib/billing/billing';
import { createAccount as openAccount } from '../../lib/billing/billingService';
import { idempotent } from '../../lib/common/idempotency';
import { logger } from '../../lib/common/observability';
import { serviceEvent, validInput, type ServiceCall } from '../../lib/common/serviceEvent';

/** billing/createAccount: a zero-balance account for a client (step of the registration saga). */
const createAccount = ({ input, requestId }: ServiceCall<AccountRef>) => openAccount(input.clientId, requestId);

export const handler = middy(createAccount)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(serviceEvent())
  .use(validInput(AccountRef))
  .use(idempotent());
