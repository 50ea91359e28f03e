import { AddClientInput } from '../../lib/client/client';
import { addClient } from '../../lib/client/clientService';
import { serviceHandler } from '../../lib/common/handler';

/** client/add: a new client in status PENDING (step 1 of the registration saga). */
export const handler = serviceHandler(
  { input: AddClientInput, caller: 'none', idempotent: true },
  ({ input, requestId }) => addClient(input, requestId),
);
