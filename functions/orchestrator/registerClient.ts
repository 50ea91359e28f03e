import { serviceHandler } from '../../lib/common/handler';
import { registerClient, RegisterClientRequest } from '../../lib/sagas/registrationSaga';

/** POST /api/client/register_client: runs the registration saga and waits for it. Public: no session yet. */
export const handler = serviceHandler({ input: RegisterClientRequest }, ({ input, requestId }) =>
  registerClient(input, requestId),
);
