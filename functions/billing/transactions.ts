import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { AccountRef } from '../../lib/billing/billing';
import { listTransactions } from '../../lib/billing/billingService';
import { logger } from '../../lib/common/observability';
import { serviceEvent, validInput, type ServiceCall } from '../../lib/common/serviceEvent';

/** billing/{clientId}/transactions: the ledger, oldest first, or 404. */
const transactions = ({ input }: ServiceCall<AccountRef>) => listTransactions(input.clientId);

export const handler = middy(transactions)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(serviceEvent())
  .use(validInput(AccountRef));
