/**
 * A variable the function cannot work without: read where it is used (a function resolves only what it needs,
 * and tests may set it late), and a missing one fails with its name rather than with an undefined somewhere.
 */
export function requireEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') {
    throw new Error(`Missing required environment variable ${name}`);
  }
  return value;
}

/** Table names, one getter per service so a function only resolves (and needs) its own. */
export const tables = {
  clients: () => requireEnv('CLIENTS_TABLE'),
  users: () => requireEnv('USERS_TABLE'),
  sessions: () => requireEnv('SESSIONS_TABLE'),
  billing: () => requireEnv('BILLING_TABLE'),
  orders: () => requireEnv('ORDERS_TABLE'),
  notifications: () => requireEnv('NOTIFICATIONS_TABLE'),
  idempotency: () => requireEnv('IDEMPOTENCY_TABLE'),
} as const;
