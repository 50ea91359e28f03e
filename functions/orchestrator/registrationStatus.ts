import { serviceHandler } from '../../lib/common/handler';
import { RegistrationTicket, registrationStatus } from '../../lib/sagas/registrationSaga';

/**
 * GET /api/client/register_client/{ticket}: the outcome of a registration answered earlier with 202. Public
 * (there is no session yet): the ticket of the 202's statusUrl, with its random token, is what binds it.
 */
export const handler = serviceHandler({ input: RegistrationTicket, caller: 'none', idempotent: false }, ({ input }) =>
  registrationStatus(input),
);
