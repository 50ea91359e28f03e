import { serviceHandler } from '../../lib/common/handler';
import { orderSagaStatus } from '../../lib/sagas/orderSaga';
import { ExecutionRef } from '../../lib/sagas/saga';

/** GET /api/order/create_order/{executionName}: the outcome of an order saga answered earlier with 202. */
export const handler = serviceHandler(
  { input: ExecutionRef, caller: 'required', idempotent: false },
  ({ caller, input }) => orderSagaStatus(caller, input.executionName),
);
