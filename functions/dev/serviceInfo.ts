import { serviceHandler } from '../../lib/common/handler';
import { serviceInfo } from '../../lib/dev/serviceInfo';

/** GET /dev/<service> and /dev/<service>/health: the liveness probes of the five services. */
export const handler = serviceHandler({ input: 'none', caller: 'none', idempotent: false }, ({ path }) =>
  serviceInfo(path),
);
