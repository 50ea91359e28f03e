import { serviceHandler } from '../../lib/common/handler';
import { registerClient, RegisterClientRequest } from '../../lib/sagas/registrationSaga';

/**
 * POST /api/client/register_client: runs the registration saga and waits for it. Public: no session yet. Not
 * through the idempotency record: a repeated key is the same saga, by its execution name (lib/sagas/saga.ts).
 */
export const handler = serviceHandler(
  { input: RegisterClientRequest, caller: 'none', idempotent: false },
  ({ input, requestId }) => registerClient(input, requestId),
);
