import { randomUUID } from 'node:crypto';
import type { LoadProgress } from './load';

/** A progress line: rewritten in place on a terminal, one line every 5 s in a log. */
export function progressLine(label: string): (progress: LoadProgress) => void {
  let lastLogged = 0;
  return (p) => {
    const seconds = Math.floor(p.elapsedS);
    const line =
      `${label} ${seconds}/${p.durationS} s · sagas: ${p.sagas.order} orders (${(p.sagas.order / Math.max(p.elapsedS, 1)).toFixed(1)}/s), ` +
      `${p.sagas.registration} registrations · faults ${p.faults} · in flight ${p.inFlight}`;
    if (process.stdout.isTTY) process.stdout.write(`\r${line.padEnd(110)}`);
    else if (seconds - lastLogged >= 5) {
      lastLogged = seconds;
      console.log(line);
    }
  };
}

/** Registers and signs in `count` clients through the public API; their session cookies. */
export async function signUpClients(apiUrl: string, count: number): Promise<string[]> {
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
