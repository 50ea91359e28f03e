import type { LoadProgress } from './load';

/**
 * A progress line: rewritten in place on a terminal, one line every 5 s in a log. After the load's duration
 * it says "settling": the users start nothing new and follow their last sagas to their end.
 */
export function progressLine(label: string): (progress: LoadProgress) => void {
  let lastLogged = 0;
  return (p) => {
    const seconds = Math.floor(p.elapsedS);
    const phase = seconds <= p.durationS ? `${seconds}/${p.durationS} s` : `${seconds} s, settling`;
    const line =
      `${label} ${phase} · sagas ended: ${p.ended.order} orders (${(p.ended.order / Math.max(p.elapsedS, 1)).toFixed(1)}/s), ` +
      `${p.ended.registration} registrations${p.waitingForRedrive > 0 ? `, ${p.waitingForRedrive} waiting for a redrive` : ''}` +
      `${p.unended > 0 ? `, ${p.unended} given up` : ''} · ` +
      `in flight: ${p.sagasInFlight} sagas, ${p.requestsInFlight} requests · fault answers ${p.faults}`;
    if (process.stdout.isTTY) process.stdout.write(`\r${line.padEnd(130)}`);
    else if (seconds - lastLogged >= 5) {
      lastLogged = seconds;
      console.log(line);
    }
  };
}
