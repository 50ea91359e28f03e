import { startProcess } from '../../../local/process';

/**
 * A command whose event loop is busy when Ctrl-C comes, as `npm start`'s is while it loads and starts its
 * emulators on a loaded machine: it starts a child with the local cloud's own machinery (local/process.ts, which
 * stops it on a signal), says so, and blocks its event loop for the next 2 s: a signal sent a little after the
 * line is handled up to 2 s late. Run by tests/chaos/stop.test.ts the way package.json runs the project's scripts.
 */
startProcess('sleeper', 'sleep', ['120'], {});
process.stdout.write('busy with a child\n');
const until = Date.now() + 2_000;
while (Date.now() < until);
