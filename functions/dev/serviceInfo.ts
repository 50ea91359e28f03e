import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';

const SERVICES: Record<string, string> = {
  clientService: 'client',
  authService: 'auth',
  billingService: 'billing',
  orderService: 'order',
  notificationService: 'notification',
};

const json = (statusCode: number, body: unknown): APIGatewayProxyResult => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

/**
 * GET /dev/<service> and /dev/<service>/health: the original's liveness probes. They touch no data, so
 * one function answers for all five services instead of five copies of the same two lines.
 */
export const handler = async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
  const [, , service, probe] = event.path.split('/'); // "", "dev", "<service>", "health"?
  const name = service === undefined ? undefined : SERVICES[service];
  if (name === undefined) return json(404, { error: 'Unknown service' });
  return probe === 'health' ? json(200, { status: 'OK' }) : json(200, { result: `I am ${name} service` });
};
