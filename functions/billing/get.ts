import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { AccountRef } from '../../lib/billing/billing';
import { getAccount } from '../../lib/billing/billingService';
import { logger } from '../../lib/common/observability';
import { serviceEvent, validInput, type ServiceCall } from '../../lib/common/serviceEvent';

/** billing/{clientId}: the account's balance, or 404. */
const get = ({ input }: ServiceCall<AccountRef>) => getAccount(input.clientId);

export const handler = middy(get)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(serviceEvent())
  .use(validInput(AccountRef));
