import { serviceHandler } from '../../lib/common/handler';

/** GET /api/auth/signin: where a client without a session is sent to log in. */
export const handler = serviceHandler({ input: 'none', caller: 'none', idempotent: false }, () => ({
  message: 'Please login!',
}));
