import { requireEnv } from '../common/config';
import { invokeService } from '../common/invoke';
import type { Caller } from '../common/serviceEvent';

export interface Profile {
  clientId: string;
  /** The session's login: the session authorizer, which guards /api/me, always names it. */
  login?: string;
  firstName: string;
  lastName: string;
  email: string;
  balance: number;
}

interface ClientAnswer {
  firstName: string;
  lastName: string;
  email: string;
}
interface AccountAnswer {
  balance: number;
}

/**
 * The signed-in user's profile, assembled from the services that own each part: the client's name and
 * email from the Client service, the balance from the Billing service. Identity comes only from the
 * authorizer's context (the caller, which the handler's edge requires), never from the request.
 */
export async function profileOf({ clientId, login }: Caller): Promise<Profile> {
  const [client, account] = await Promise.all([
    invokeService<ClientAnswer>(requireEnv('CLIENT_GET_FUNCTION'), { clientId }),
    invokeService<AccountAnswer>(requireEnv('BILLING_GET_FUNCTION'), { clientId }),
  ]);
  return {
    clientId,
    ...(login === undefined ? {} : { login }),
    firstName: client.firstName,
    lastName: client.lastName,
    email: client.email,
    balance: account.balance,
  };
}
