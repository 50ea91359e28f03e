import { RegisterInput } from '../../lib/auth/auth';
import { register } from '../../lib/auth/authService';
import { serviceHandler } from '../../lib/common/handler';

/** user/register: a login and a password for an existing client; the password is stored only as a hash. */
export const handler = serviceHandler(
  { input: RegisterInput, caller: 'none', idempotent: true },
  ({ input, requestId }) => register(input, requestId),
);
