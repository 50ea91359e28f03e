import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { type z } from 'zod';
import { logger } from '../../lib/common/observability';
import { serviceEvent, validInput, type ServiceCall } from '../../lib/common/serviceEvent';
import { ExecutionRef } from '../../lib/sagas/saga';
import { registrationStatus } from '../../lib/sagas/registrationSaga';

/** GET /api/client/register_client/{executionName}: the outcome of a registration answered earlier with 202. */
const status = ({ input }: ServiceCall<z.infer<typeof ExecutionRef>>) => registrationStatus(input.executionName);

export const handler = middy(status)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(serviceEvent())
  .use(validInput(ExecutionRef));
