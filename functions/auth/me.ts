import { profileOf } from '../../lib/auth/profile';
import { serviceHandler } from '../../lib/common/handler';

/** GET /api/me (behind the authorizer): who is signed in, with the client's details and balance. */
export const handler = serviceHandler({ input: 'none', caller: 'required', idempotent: false }, ({ caller }) =>
  profileOf(caller),
);
