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
