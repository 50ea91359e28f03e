/**
 * Environment is read once, at cold start, and a missing variable fails the function there rather than
 * on the first request that happens to need it.
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
