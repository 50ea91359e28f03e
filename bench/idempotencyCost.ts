import { randomUUID } from 'node:crypto';
import autocannon from 'autocannon';

/** The same call with and without the idempotency middleware's work, and answered from its store. */
export interface IdempotencyCost {
  /** POST /api/billing/deposit with a fresh Idempotency-Key each time: the middleware records the call. */
  recorded: CallCost;
  /** The same call without a key: the middleware has nothing to key on and steps aside. */
  unkeyed: CallCost;
  /** A key already answered: the first answer comes back from the store, the handler does not run. */
  replayed: CallCost;
  /** recorded − unkeyed, at the median: what the middleware adds to a call. */
  middlewareMsPerCall: number;
}

export interface CallCost {
  calls: number;
  meanMs: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
}

type Variant = 'recorded' | 'unkeyed' | 'replayed';

/** One autocannon slice of one variant, its connections spread over the signed-in clients' cookies. */
async function slice(baseUrl: string, cookies: string[], variant: Variant, seconds: number, connections: number) {
  let nextClient = 0;
  const result = await autocannon({
    url: baseUrl,
    connections,
    duration: seconds,
    requests: [
      {
        method: 'POST',
        path: '/api/billing/deposit',
        body: JSON.stringify({ sum: 1 }),
        setupRequest: (request, connection) => {
          // autocannon keeps one context object per connection: it holds that connection's client and replay key.
          const context = connection as Record<string, string>;
          context['cookie'] ??= cookies[nextClient++ % cookies.length]!;
          context['replayKey'] ??= randomUUID();
          const key = variant === 'recorded' ? randomUUID() : variant === 'replayed' ? context['replayKey'] : undefined;
          return {
            ...request,
            headers: {
              'content-type': 'application/json',
              cookie: context['cookie'],
              ...(key === undefined ? {} : { 'idempotency-key': key }),
            },
          };
        },
      },
    ],
  });
  return result;
}

/** Registers and signs in `count` clients through the public API; their session cookies. */
async function signUpClients(apiUrl: string, count: number): Promise<string[]> {
  return Promise.all(
    Array.from({ length: count }, async () => {
      const suffix = randomUUID().slice(0, 12);
      const login = `paired_${suffix}`;
      const password = `paired password ${suffix}`;
      const post = (path: string, body: unknown) =>
        fetch(`${apiUrl}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      const registered = await post('/api/client/register_client', {
        login,
        password,
        firstName: 'Paired',
        lastName: 'Run',
        email: `${login}@example.com`,
      });
      if (registered.status !== 200) throw new Error(`paired run: registration answered ${registered.status}`);
      const signedIn = await post('/api/auth/login', { login, password });
      const cookie = /session=[^;]+/.exec(signedIn.headers.get('set-cookie') ?? '')?.[0];
      if (cookie === undefined) throw new Error(`paired run: login answered ${signedIn.status}`);
      return cookie;
    }),
  );
}

/**
 * A paired run: the three variants take turns in short slices (so a drift of the machine hits them alike),
 * each on the accounts of its own newly signed-up clients, and the slices of a variant are pooled.
 */
export async function idempotencyCost(
  baseUrl: string,
  options = { rounds: 3, sliceSeconds: 3, connections: 4 },
): Promise<IdempotencyCost> {
  const [forRecorded, forUnkeyed, forReplayed] = await Promise.all(
    [0, 1, 2].map(() => signUpClients(baseUrl, options.connections)),
  );
  const cookies: Record<Variant, string[]> = { recorded: forRecorded!, unkeyed: forUnkeyed!, replayed: forReplayed! };
  const slices: Record<Variant, autocannon.Result[]> = { recorded: [], unkeyed: [], replayed: [] };
  for (let round = 0; round < options.rounds; round += 1) {
    for (const variant of ['recorded', 'unkeyed', 'replayed'] as const) {
      slices[variant].push(await slice(baseUrl, cookies[variant], variant, options.sliceSeconds, options.connections));
    }
  }
  const pooled = (results: autocannon.Result[]): CallCost => {
    const calls = results.reduce((sum, r) => sum + r.requests.total, 0);
    const weighted = (pick: (r: autocannon.Result) => number) =>
      Math.round((results.reduce((sum, r) => sum + pick(r) * r.requests.total, 0) / Math.max(calls, 1)) * 10) / 10;
    return {
      calls,
      meanMs: weighted((r) => r.latency.mean),
      p50Ms: weighted((r) => r.latency.p50),
      p99Ms: weighted((r) => r.latency.p99),
      errors: results.reduce((sum, r) => sum + r.errors + r.timeouts + r.non2xx, 0),
    };
  };
  const recorded = pooled(slices.recorded);
  const unkeyed = pooled(slices.unkeyed);
  return {
    recorded,
    unkeyed,
    replayed: pooled(slices.replayed),
    middlewareMsPerCall: Math.round((recorded.p50Ms - unkeyed.p50Ms) * 10) / 10,
  };
}
