import { NotFound } from '../common/errors';
import DEV_SERVICES from './devServices.json';

/**
 * The dev API's services, by the first segment of their routes (`/dev/clientService/...`) and their own
 * names. The one list: serverless/dev-ingress.js builds the probe routes from this file too.
 */
const SERVICES: Readonly<Record<string, string>> = DEV_SERVICES;

/**
 * GET /dev/<service> and /dev/<service>/health: the original's liveness probes. They touch no data, so one
 * function answers for all five services, telling them apart by the path.
 */
export function serviceInfo(path: string | undefined): { status: 'OK' } | { result: string } {
  const [, , service, probe] = (path ?? '').split('/'); // "", "dev", "<service>", "health"?
  const name = service === undefined ? undefined : SERVICES[service];
  if (name === undefined) throw new NotFound('Unknown service');
  return probe === 'health' ? { status: 'OK' } : { result: `I am ${name} service` };
}
